"""The live web dashboard (``conveyor dashboard``): a stdlib HTTP server, JSON and /metrics.

Everything the page draws is shipped in ``static/`` (hand-written JavaScript and SVG, no
CDN), so it works on an offline login node.
"""
