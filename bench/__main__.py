from bench.run import cli

raise SystemExit(cli())
