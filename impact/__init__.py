"""The impact floor: what a change in the law means for the duties that cite it.

``record`` writes a law's new version or status with its change events; ``resolve`` checks a
citation against the registry; ``assess`` finds the flags a change raises and ``process`` runs
that for every change not yet processed; ``reconcile`` and ``flags`` are the flag workflow;
``duties`` and ``lawfiles`` import power lists and law files; ``report`` gives the figures per
department; ``rewrite`` is the one way a cited article is rewritten in a basis text; ``rules`` reads
the domain's data (severities and their order, states, reasons, suggestions: ``data/impact.toml``).
It reads and writes the registry only through ``registry``'s functions (no SQL here); its
algorithms are ``diffing``'s.
"""
