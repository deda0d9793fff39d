"""The workspace keeps nothing of its own: each run's spending is stored on the run
(subsidies.PayrollRun's totals)."""
