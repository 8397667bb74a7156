"""Memos and circulars over REST, for verified staff: one module per entity.

Reads go through the selectors (a memo or circular outside the caller's scope is a 404); writes go
through the services, which decide who may act (403) and which rules refuse the request (400, field
by field when the rule is about one field). `common` holds what both entities share: the error
responses and the lookups of units and staff named in a request.
"""

from .circulars import (
    CircularAcknowledgeApi,
    CircularCollectionApi,
    CircularDetailApi,
    CircularListApi,
    CircularReceiptListApi,
    CircularRemindApi,
    CircularSendApi,
)
from .memos import (
    MemoCollectionApi,
    MemoDetailApi,
    MemoForwardApi,
    MemoListApi,
    MemoReplyApi,
    MemoSendApi,
)

__all__ = [
    "CircularAcknowledgeApi",
    "CircularCollectionApi",
    "CircularDetailApi",
    "CircularListApi",
    "CircularReceiptListApi",
    "CircularRemindApi",
    "CircularSendApi",
    "MemoCollectionApi",
    "MemoDetailApi",
    "MemoForwardApi",
    "MemoListApi",
    "MemoReplyApi",
    "MemoSendApi",
]
