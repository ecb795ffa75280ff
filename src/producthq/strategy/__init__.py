"""Strategy: the product vision, personas, competitors, objectives and key results.

Pure computation lives in ``progress.py`` (OKR progress), ``periods.py`` (planning periods),
``markdown.py`` (safe rendering), ``textdiff.py`` (revision diffs) and ``charts.py`` (Vega-Lite
specs); ``service.py`` is the only module that joins them to the database.
"""
