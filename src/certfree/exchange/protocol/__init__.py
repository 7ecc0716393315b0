"""The node-to-node protocol: signed messages (``signing``, ``messages``), the replay guard,
routing along the province → city → department cascade, the province's signed node registry,
co-hosted departments, the audit of every message, the provider's answerer and the transport.

It knows no message of a domain: what a node answers is registered on its runtime by the code
that assembles the node (:func:`certfree.assembly.exchange_runtime`).
"""
