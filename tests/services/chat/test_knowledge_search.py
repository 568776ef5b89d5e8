"""Knowledge search: native full-text ranking on both backends, in sync, never a syntax error."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select, text, update

from renubu_tui.data.engine import Database
from renubu_tui.data.migrate import upgrade
from renubu_tui.data.models import KnowledgeDocument, Tenant
from renubu_tui.services.chat.knowledge import fts5_query, search, snippet, terms
from tests.services.chat.helpers import TENANT


async def test_escalation_policy_ranks_first_for_escalation_vp_approval(
    seeded_db: Database,
) -> None:
    found = await search(seeded_db, TENANT, "escalation VP approval")
    assert found[0].doc_slug == "escalation-policy"
    assert found[0].title == "Escalation policy"
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)
    assert len(found) <= 5 and len(found[0].snippet.split()) <= 42
    assert "VP" in found[0].snippet or "escalat" in found[0].snippet.lower()


async def test_the_war_room_playbook_answers_war_room_questions(seeded_db: Database) -> None:
    found = await search(seeded_db, TENANT, "How do I run a war room stand-up?", limit=2)
    assert found[0].doc_slug == "war-room-playbook"
    assert len(found) <= 2


@pytest.mark.parametrize(
    "query",
    [
        'bad "syntax* AND (',
        "NEAR(escalation vp)",
        "title:escalation OR",
        "-- drop table knowledge_documents; '",
        "' OR 1=1 --",
        "^escalation* {body}: \\ / %",
        "",
        "   ",
        "the and or",
    ],
)
async def test_user_text_is_never_query_syntax(seeded_db: Database, query: str) -> None:
    await search(seeded_db, TENANT, query)  # no exception, whatever the text


async def test_query_terms_are_quoted_words() -> None:
    assert terms("What's the escalation policy for VPs?") == ["escalation", "policy", "vps"]
    assert terms("the and") == ["the", "and"]
    assert fts5_query(["near", "or"]) == '"near" OR "or"'


async def test_core_and_own_documents_only(seeded_db: Database) -> None:
    other = uuid.uuid4()
    async with seeded_db.sessions() as s, s.begin():
        s.add(Tenant(id=other, slug="other-co", name="Other Co"))
        await s.flush()
        s.add(
            KnowledgeDocument(
                tenant_id=TENANT,
                slug="acme-zebra-playbook",
                title="Zebra accounts",
                body="Our own zebra escalation rules.",
            )
        )
        s.add(
            KnowledgeDocument(
                tenant_id=other,
                slug="other-zebra-secret",
                title="Zebra secrets",
                body="Another tenant's zebra escalation notes.",
            )
        )
    mine = [p.doc_slug for p in await search(seeded_db, TENANT, "zebra")]
    theirs = [p.doc_slug for p in await search(seeded_db, other, "zebra")]
    assert mine == ["acme-zebra-playbook"]
    assert theirs == ["other-zebra-secret"]


async def test_index_follows_inserts_updates_and_deletes(seeded_db: Database) -> None:
    async with seeded_db.sessions() as s, s.begin():
        await s.execute(
            update(KnowledgeDocument)
            .where(KnowledgeDocument.slug == "qbr-playbook")
            .values(body="Quokka reviews happen quarterly.")
        )
    assert [p.doc_slug for p in await search(seeded_db, TENANT, "quokka")] == ["qbr-playbook"]
    async with seeded_db.sessions() as s, s.begin():
        await s.execute(delete(KnowledgeDocument).where(KnowledgeDocument.slug == "qbr-playbook"))
    assert await search(seeded_db, TENANT, "quokka") == []


async def test_migration_backfills_documents_written_before_it(empty_db: Database) -> None:
    await upgrade(empty_db, "0003")
    doc_id = uuid.uuid4()
    async with empty_db.engine.begin() as conn:
        value = doc_id.hex if empty_db.dialect == "sqlite" else doc_id
        await conn.execute(
            text(
                "INSERT INTO knowledge_documents (id, slug, title, tags, body) "
                "VALUES (:id, 'pangolin', 'Pangolin policy', '[]', 'Pangolins are escalated.')"
            ),
            {"id": value},
        )
    await upgrade(empty_db)
    found = await search(empty_db, uuid.uuid4(), "pangolin")
    assert [p.doc_slug for p in found] == ["pangolin"]
    async with empty_db.sessions() as s:
        assert await s.scalar(select(KnowledgeDocument.title)) == "Pangolin policy"


def test_snippet_is_a_short_window_around_the_terms() -> None:
    body = " ".join(["filler"] * 100 + ["The", "pangolin", "rule", "applies."] + ["tail"] * 100)
    cut = snippet(body, ["pangolin"], size=10)
    assert "pangolin" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut.strip("…").split()) == 10
    assert snippet("Short body.", ["x"]) == "Short body."
