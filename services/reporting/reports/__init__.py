"""The leadership report (issue 14.5): a scope's figures, read through the API's own routes (figures),
laid out as the exports lay them (sections), rendered as a workbook and a PDF (workbook, pdf), e-mailed
with bounded retries (mail, delivery) on a schedule from the settings (schedule, scheduler)."""
