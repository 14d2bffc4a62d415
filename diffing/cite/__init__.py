"""Legal-basis citations (DESIGN §6): ``find`` reads a basis text, ``resolve`` checks it against the registry.

>>> from diffing.cite import parse_basis
>>> [c.article for c in parse_basis("《行政处罚法》第三十二条、第三十三条").citations]
['第三十二条', '第三十三条']
"""

from diffing.cite.find import BasisParse, Citation, Mention, parse_basis

__all__ = ["BasisParse", "Citation", "Mention", "parse_basis"]
