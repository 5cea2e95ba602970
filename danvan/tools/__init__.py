"""Developers' toolbox, the top floor: synthetic data (`danvan generate`), the load test (`danvan loadtest`),
the benches (`danvan bench`) and the intake sample forms. Nothing in the product imports it; its own
dependencies (aiohttp for the load test) come with the `[dev]` extra. Importing this package loads no Django."""
