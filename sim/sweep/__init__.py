"""Parameter sweeps and sensitivity analysis (docs/sweeps.md).

A sweep file names a base scenario, factors addressed by path into it, a design (grid, or
SALib's Latin hypercube, Sobol', Morris or FAST sampling), replications with paired seeds, and
the outputs to record. The modules, in the order a sweep uses them:

- :mod:`~sim.sweep.schema`, :mod:`~sim.sweep.loading`, :mod:`~sim.sweep.checks`: the file,
  checked with one-paragraph errors; :mod:`~sim.sweep.paths`: where a factor's value goes;
- :mod:`~sim.sweep.design`: the design points, sampled with SALib;
- :mod:`~sim.sweep.tasks`: the plan of runs and the function a worker runs for each;
  :mod:`~sim.sweep.outputs`: the numbers recorded of a run;
- :mod:`~sim.sweep.execute`: the runs on the local pool or a Dask cluster
  (:mod:`~sim.sweep.cluster`), each kept as it finishes by :mod:`~sim.sweep.store`;
- :mod:`~sim.sweep.manifest`, :mod:`~sim.sweep.summary`, :mod:`~sim.sweep.sensitivity`,
  :mod:`~sim.sweep.figures`: the folder's manifest, tables, SALib's indices and the plots;
- :mod:`~sim.sweep.workbench`: the runs as EMA Workbench's (experiments, outcomes).

The package sits beside :mod:`sim.analysis` (it uses its statistics and plot helpers; analysis
does not use it), above :mod:`sim.execution`, below the commands.
"""
