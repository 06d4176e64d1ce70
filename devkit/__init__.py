"""Helpers for tests/ and benchmarks/ only: never shipped (setup.cfg packages `project` alone).

sandbox  throwaway copies of the checkout        bundle   drive a copy through its ctl verbs
net      free ports, one-shot HTTP requests     polling  wait for a condition, never sleep blindly
load     client threads that count responses    mail     an in-process SMTP server and its inbox
testapp  the test app's database and log        accounts users and logged-in sessions
api      bearer tokens and the JSON error shape  browser  Playwright page helpers
cli      the checkout's CLI in a subprocess      devserver `ctl dev` in a child process
walkthrough  the README's feature walk-through
"""
