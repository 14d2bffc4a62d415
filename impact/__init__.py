"""The impact floor: what a change in the law means for the duties that cite it.

``record`` writes a law's new version or status with its change events; ``resolve`` checks a
citation against the registry; ``assess`` finds the flags a change raises and ``process`` runs
that for every change not yet processed; ``reconcile`` and ``flags`` are the flag workflow;
``duties`` and ``lawfiles`` import power lists and law files; ``report`` gives the figures per
department. It reads and writes the registry through ``registry``; its algorithms are ``diffing``'s.
"""
