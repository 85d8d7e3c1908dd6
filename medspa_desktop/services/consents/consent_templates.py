"""Consent templates: the clinic's consent text per treatment category (and photography),
versioned. The shipped texts live in ``resources/consents/*.txt`` in a plain format a clinic can
read; the first time a category is needed its shipped text becomes version 1. An admin's edit
saves a new version and keeps every old one, so a signed consent always names the exact words.

The format::

    Title: Consent to neurotoxin treatment
    Category: neurotoxin

    ## The procedure and how it works
    Paragraphs of text…

    ## Risks and side effects [initials]
    A heading ending in "[initials]" asks the patient to initial that section.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import IntegrityError, fn

from ... import paths
from ...store.database import db
from ...store.models import CATEGORIES, ConsentTemplate, User
from ..platform import audit, changes, limits
from ..platform.errors import ValidationError
from ..platform.permissions import require
from ..platform.text import clean_block, clean_line

INITIALS = "[initials]"
PHOTOGRAPHY = "photography"
KINDS = {key: label for key, label in CATEGORIES.items() if key != "retail"} | {
    PHOTOGRAPHY: "Photography"}
MAX_BODY = 50_000
NO_CONSENT = "none"  # a service's consent category when it needs no signed consent


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    initials: bool


@dataclass(frozen=True)
class Template:
    id: int
    category: str
    version: int
    title: str
    body: str
    sections: tuple[Section, ...]
    created_by: str  # "" for the shipped text
    created_at: dt.datetime


def parse_sections(body: str) -> tuple[Section, ...]:
    """The sections of a template body; refused when there are none or one is empty."""
    sections: list[Section] = []
    heading, lines = None, []

    def close() -> None:
        if heading is None:
            return
        text = clean_block("\n".join(lines))
        initials = heading.endswith(INITIALS)
        name = clean_line(heading.removesuffix(INITIALS))
        if not name:
            raise ValidationError("A section heading ('## …') has no title.")
        if not text:
            raise ValidationError(f"The section '{name}' has no text.")
        sections.append(Section(name, text, initials))

    for line in body.splitlines():
        if line.startswith("## "):
            close()
            heading, lines = line[3:].strip(), []
        elif heading is not None:
            lines.append(line)
        elif line.strip():
            raise ValidationError("Start the consent text with a section heading: a line "
                                  "beginning with '## '.")
    close()
    if not sections:
        raise ValidationError("A consent needs at least one section (a line beginning "
                              "with '## ').")
    return tuple(sections)


def parse_file(text: str) -> tuple[str, str, str]:
    """A shipped template file: (title, category, body)."""
    head, _, body = text.partition("\n## ")
    fields = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    return fields.get("Title", "").strip(), fields.get("Category", "").strip(), "## " + body


def _view(row: ConsentTemplate) -> Template:
    return Template(row.id, row.category, row.version, row.title, row.body,
                    parse_sections(row.body),
                    row.created_by.display_name if row.created_by_id else "", row.created_at)


def _install_shipped(category: str) -> None:
    text = paths.resource("consents", f"{category}.txt").read_text(encoding="utf-8")
    title, shipped_category, body = parse_file(text)
    if shipped_category != category:
        raise ValidationError(f"The shipped consent for {category} is damaged.")
    parse_sections(body)
    try:
        with db.atomic():
            ConsentTemplate.create(category=category, version=1, title=title, body=body,
                                   created_by=None, created_at=dt.datetime.now())
    except IntegrityError:
        pass  # another PC installed it at the same moment


def current(actor: User, category: str) -> Template:
    """The version in force for a category (the shipped text the first time)."""
    require(actor, "consent.read")
    if category not in KINDS:
        raise ValidationError("There is no consent form for that kind of treatment.")
    row = _latest(category)
    if row is None:
        _install_shipped(category)
        row = _latest(category)
    return _view(row)


def _latest(category: str) -> ConsentTemplate | None:
    return (ConsentTemplate.select().where(ConsentTemplate.category == category)
            .order_by(ConsentTemplate.version.desc()).first())


def get(actor: User, template_id: int) -> Template:
    require(actor, "consent.read")
    return _view(ConsentTemplate.get_by_id(template_id))


def history(actor: User, category: str) -> list[Template]:
    """Every version of a category's consent, newest first."""
    current(actor, category)
    return [_view(t) for t in ConsentTemplate.select()
            .where(ConsentTemplate.category == category)
            .order_by(ConsentTemplate.version.desc())]


def save_version(actor: User, category: str, title: str, body: str) -> Template:
    """An edited text becomes the next version; the old ones stay as they were."""
    require(actor, "consent.template")
    before = current(actor, category)
    title = clean_line(title)
    body = clean_block(body)
    if not title:
        raise ValidationError("Give the consent form a title.")
    if len(title) > limits.CONSENT_TITLE:
        raise ValidationError(f"The title must be at most {limits.CONSENT_TITLE} characters.")
    if len(body) > MAX_BODY:
        raise ValidationError(f"The consent text must be at most {MAX_BODY:,} characters.")
    parse_sections(body)
    if (title, body) == (before.title, clean_block(before.body)):
        raise ValidationError("Nothing has changed; no new version was saved.")
    with db.atomic():
        version = (ConsentTemplate.select(fn.MAX(ConsentTemplate.version))
                   .where(ConsentTemplate.category == category).scalar() or 0) + 1
        row = ConsentTemplate.create(category=category, version=version, title=title,
                                     body=body, created_by=actor, created_at=dt.datetime.now())
        audit.record(actor, "consent.template", "consent_template", row.id,
                     f"{category} version {version}: {title}")
        changes.note("consent_template", row.id)
    return _view(row)
