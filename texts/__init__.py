"""The text floor: what a document says, before anything is stored.

``extract`` (docx/doc/pdf/html → text), ``structure`` (text → articles, 款 and 项), ``numerals``
(第三十二条 ↔ 32), ``powerlist`` (reading power-list, department and staff tables) and
``levels`` (the level a title suggests). Nothing here touches the registry.
"""
