"""Review governance: which patterns and cards are past their ``review.due`` date.

Overdue content still publishes (a build never fails for it); it is listed for the editors on a
page of the site and by ``cardkb check --due``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .model import Entity, KnowledgeBase


@dataclass(frozen=True)
class OverdueReview:
    entity: Entity
    due: datetime.date

    def days_overdue(self, today: datetime.date) -> int:
        return (today - self.due).days


def overdue_reviews(kb: KnowledgeBase, today: datetime.date) -> list[OverdueReview]:
    """Everything whose review was due before ``today``, the longest overdue first."""
    overdue = [OverdueReview(entity, entity.review.due)
               for entity in [*kb.visible_patterns(), *kb.visible_cards()]
               if entity.review and entity.review.due and entity.review.due < today]
    return sorted(overdue, key=lambda o: (o.due, o.entity.id))
