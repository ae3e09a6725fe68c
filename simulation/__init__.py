"""What-if simulation of procedures (issue 18): fit an agency's year from the event log, simulate it in
working time on the version in force and on a draft or another roster, and compare (docs/simulation.md).

axis: working time as a number line; graph: a BPMN flow as the simulation walks it; fit / fit_db: what
the log says (arrivals, durations, branches, pauses, roster); model: the event loop; results: the
figures; whatif: the use case behind `quytrinh simulate`; backtest: predictions against what happened.
"""
