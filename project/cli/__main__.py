"""`python -m project.cli`: what scripts/ctl execs after its bootstrap."""

from . import main

main()
