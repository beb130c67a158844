"""Waste-collection rounds: balanced sectors, optimised truck routes, fill prediction.

Modules
-------
plan
    :func:`~sandbox.models.collection.plan.plan_collection`: today's rounds
    against an optimised plan, with the figures of the comparison.
routing
    The capacitated vehicle-routing solver (PyVRP) and its result type.
sectors
    Balanced sectors of collection points.
fill
    Fill-level prediction from sensor history.
"""
