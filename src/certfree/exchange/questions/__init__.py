"""Verification questions over the exchange: the provider's answer (``catalogue``: grant,
consent, bindings to the department's tables through ``adapters``), the consumer's ``ask``,
what a service item can ask (``coverage``), consent attestations, egress counts and a data
subject's view of who asked about them (``subject_accesses``).
"""
