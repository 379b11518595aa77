"""Personal data kept no longer than needed (PIPL arts. 19 and 47): retention periods
per kind of record, after which personal fields are erased by a periodic round, and
erasure on a data subject's request as the node's office decided it.

Only personal fields are erased; the records, their hashes and the ledger stay, so
every receipt and the log's audit still verify. What was erased is recorded as counts,
never as the data.
"""
