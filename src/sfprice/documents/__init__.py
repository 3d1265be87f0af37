"""Invoice documents and exports from the register: HTML, PDF, Excel and SIE 4.

Each module imports its optional library (fpdf2, openpyxl) only when called, so
``import sfprice`` stays light. See ``docs/documents.md``.
"""
