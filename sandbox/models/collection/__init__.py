"""Waste-collection rounds: balanced sectors, optimised truck routes, fill prediction.

Modules
-------
plan
    :func:`~sandbox.models.collection.plan.plan_collection`: today's rounds
    against an optimised plan, with the figures of the comparison
    (:class:`~sandbox.models.collection.plan.CollectionPlan`).
inputs, times, labels
    Checks of the inputs (streams, coordinates, volumes, windows, the distance
    table), clock times, and the code values with their French labels.
exports, explain
    Route sheets (French CSV, formulas neutralised) and GeoJSON; « pourquoi ce point ? ».
routing
    The capacitated vehicle-routing solver (PyVRP): :func:`~sandbox.models.collection.routing.solve_vrp`,
    :func:`~sandbox.models.collection.routing.solve_geo`; its steps in ``_checks``, ``_problem``,
    ``_search`` (parallel runs) and ``_decode``; its result in ``result``.
bounds
    True lower bounds on the trips and trucks a collection needs.
exact
    The exact oracle of tiny instances (tests and benchmark).
geo
    Great-circle and estimated road distances, a local plane.
sectors
    Balanced sectors of collection points, and today's rounds (nearest neighbour).
fill
    Fill-level prediction from sensor history.
"""
