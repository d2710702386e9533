"""Reading and writing participants in the registration database, personal data protected at rest.

Every function takes the service's PersonalDataKeys: a NIK is looked up by its keyed digest, and the NIK,
name, phone and e-mail are encrypted on the way in and decrypted on the way out. Every write of a name keeps
its blind index (adapters.name_index) in step, in the same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, FromClause, Row, Select, any_, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registration.adapters import id_lists
from services.registration.adapters.name_index import name_index
from services.registration.adapters.tables import participant_name_words, participants
from services.registration.domain.names import NameTag
from services.registration.domain.participant import Business, Domicile, Erased, Participant
from shared.auth.principal import Principal
from shared.contracts.enums import Agency, Gender, Sector
from shared.db.keyset import page_of
from shared.personal_data import PersonalDataKeys


async def insert(conn: AsyncConnection, keys: PersonalDataKeys, p: Participant) -> None:
    await insert_many(conn, keys, [p])


async def insert_many(conn: AsyncConnection, keys: PersonalDataKeys, new: Sequence[Participant]) -> None:
    """One statement for the lot (the driver batches the rows): bulk imports stay fast."""
    if new:
        created_at = datetime.now(UTC)
        rows = [{**stored_columns(keys, p), "created_at": created_at} for p in new]
        await conn.execute(participants.insert(), rows)
        await _index_names(conn, keys, new)


async def update(conn: AsyncConnection, keys: PersonalDataKeys, p: Participant) -> None:
    """Restate a registered participant under the same id (a PATCH may correct the NIK too)."""
    values = stored_columns(keys, p)
    await conn.execute(
        participants.update()
        .where(participants.c.participant_id == values.pop("participant_id"))
        .values(values)
    )
    await _forget_names(conn, [p.participant_id])
    await _index_names(conn, keys, [p])


async def _index_names(conn: AsyncConnection, keys: PersonalDataKeys, stored: Sequence[Participant]) -> None:
    """The words of stored participants' names, each with the participant's seq (see Filters.named)."""
    index = name_index(keys)
    ids = [str(p.participant_id) for p in stored]
    c = participants.c
    seqs = dict((await conn.execute(select(c.participant_id, c.seq).where(c.participant_id.in_(ids)))).all())
    rows = [
        {"participant_id": pid, "word_digest": digest, "seq": seqs[pid]}
        for pid, p in zip(ids, stored, strict=True)
        for digest in index.word_digests(p.full_name)
    ]
    if rows:
        await conn.execute(participant_name_words.insert(), rows)


async def _forget_names(conn: AsyncConnection, participant_ids: Sequence[UUID]) -> None:
    ids = [str(pid) for pid in participant_ids]
    await conn.execute(delete(participant_name_words).where(participant_name_words.c.participant_id.in_(ids)))


async def by_niks(
    conn: AsyncConnection, keys: PersonalDataKeys, niks: Sequence[str], *, lock: bool = False
) -> dict[str, Participant]:
    """The participants registered under these NIKs; `lock` holds their rows until the transaction ends."""
    if not niks:
        return {}
    query = select(participants).where(participants.c.nik_hmac.in_([keys.digest(nik) for nik in niks]))
    rows = (await conn.execute(query.with_for_update() if lock else query)).all()
    found = [_to_participant(keys, row) for row in rows]
    return {p.nik: p for p in found}


async def by_nik(conn: AsyncConnection, keys: PersonalDataKeys, nik: str) -> Participant | None:
    """The participant registered under a NIK, if any (a lookup: one indexed equality)."""
    query = select(participants).where(participants.c.nik_hmac == keys.digest(nik))
    row = (await conn.execute(query)).one_or_none()
    return None if row is None else _to_participant(keys, row)


def stored_columns(keys: PersonalDataKeys, p: Participant) -> dict[str, Any]:
    """The row a participant is stored as: no personal value in clear."""
    return {
        "participant_id": str(p.participant_id),
        "nik_hmac": keys.digest(p.nik),
        "nik_encrypted": keys.encrypt(p.nik),
        "full_name_encrypted": keys.encrypt(p.full_name),
        "name_digest": name_index(keys).name_digest(p.full_name),
        "name_tag_encrypted": keys.seal(NameTag.text(p.nik, p.full_name), str(p.participant_id)),
        "gender": p.gender.value,
        "birth_date": p.birth_date,
        "phone_encrypted": keys.encrypt_optional(p.phone),
        "email_encrypted": keys.encrypt_optional(p.email),
        "disability": p.disability,
        "kota_code": p.domicile.kota_code,
        "kecamatan_code": p.domicile.kecamatan_code,
        "kelurahan_code": p.domicile.kelurahan_code,
        "business_name": p.business.name if p.business else None,
        "sector": p.business.sector.value if p.business else None,
        "agency": p.agency.value,
        "registered_on": p.registered_on,
        "profile_revision": p.revision,
    }


async def holder_of_nik(conn: AsyncConnection, keys: PersonalDataKeys, nik: str) -> Row[str, str, str] | None:
    """The participant_id, kota_code and agency of the participant registered under this NIK, if any."""
    columns = (participants.c.participant_id, participants.c.kota_code, participants.c.agency)
    query = select(*columns).where(participants.c.nik_hmac == keys.digest(nik))
    return (await conn.execute(query)).one_or_none()


async def get(
    conn: AsyncConnection, keys: PersonalDataKeys, participant_id: UUID, *, lock: bool = False
) -> Participant | Erased | None:
    """`lock` holds the row until the transaction ends: two edits of one participant take turns."""
    query = select(participants).where(participants.c.participant_id == str(participant_id))
    row = (await conn.execute(query.with_for_update() if lock else query)).one_or_none()
    if row is None:
        return None
    if row.erased_at is not None:
        return Erased(participant_id, row.kota_code, row.agency, row.erased_at)
    return _to_participant(keys, row)


async def by_ids(
    conn: AsyncConnection, keys: PersonalDataKeys, participant_ids: Sequence[UUID]
) -> dict[UUID, Participant]:
    """The participants (not erased) of these ids."""
    query = select(participants).where(
        participants.c.participant_id.in_([str(pid) for pid in participant_ids]),
        participants.c.erased_at.is_(None),
    )
    found = [_to_participant(keys, row) for row in await conn.execute(query)]
    return {p.participant_id: p for p in found}


async def area_of(conn: AsyncConnection, participant_id: UUID) -> Row[str, str, datetime | None] | None:
    """The kota_code, agency and erased_at of a participant, without decrypting anything."""
    columns = (participants.c.kota_code, participants.c.agency, participants.c.erased_at)
    query = select(*columns).where(participants.c.participant_id == str(participant_id))
    return (await conn.execute(query)).one_or_none()


ERASED_COLUMNS = (
    "nik_hmac",
    "nik_encrypted",
    "full_name_encrypted",
    "name_digest",
    "name_tag_encrypted",
    "birth_date",
    "phone_encrypted",
    "email_encrypted",
    "business_name",  # often the owner's own name ("Warung Bu Siti"); the sector stays for the figures
)


async def erase(conn: AsyncConnection, participant_id: UUID) -> datetime | None:
    """Clears every personal column (the NIK digest too, so the NIK may register anew).

    Nothing is left to decrypt, so no key can read it back; the name's digests go too, so no guess of
    the name can be confirmed against them. Returns when, or None if it was erased already (the
    condition makes two concurrent erasures one).
    """
    erased_at = datetime.now(UTC)
    result = await conn.execute(
        participants.update()
        .where(participants.c.participant_id == str(participant_id), participants.c.erased_at.is_(None))
        .values({**dict.fromkeys(ERASED_COLUMNS), "erased_at": erased_at})
    )
    if result.rowcount != 1:
        return None
    await _forget_names(conn, [participant_id])
    return erased_at


@dataclass(frozen=True)
class Filters:
    """What a list keeps: each given filter must hold; `name` finds names holding every one of its words."""

    kota_code: str | None = None
    agency: str | None = None
    kecamatan_code: str | None = None
    kelurahan_code: str | None = None
    name: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        c = participants.c
        return [
            column == value
            for column, value in (
                (c.kota_code, self.kota_code),
                (c.agency, self.agency),
                (c.kecamatan_code, self.kecamatan_code),
                (c.kelurahan_code, self.kelurahan_code),
            )
            if value
        ]

    def words(self, keys: PersonalDataKeys) -> list[str]:
        """The digests every name found must hold (none: no name asked for)."""
        return sorted(name_index(keys).word_digests(self.name or ""))


@dataclass(frozen=True)
class StoredPage:
    """A page as stored, not decrypted yet (`open`): whom it shows is known first, so its audit entries
    can be written while it is decrypted (four Fernet tokens a participant: most of a page's CPU)."""

    rows: Sequence[Row[Any]]
    last_seq: int | None  # the seq to continue after, or None at the end
    keys: PersonalDataKeys

    @property
    def participant_ids(self) -> list[str]:
        return [row.participant_id for row in self.rows]

    def open(self) -> list[Participant]:
        return [_to_participant(self.keys, row) for row in self.rows]


async def page(
    conn: AsyncConnection, keys: PersonalDataKeys, filters: Filters, *, after_seq: int, limit: int
) -> StoredPage:
    """One page in registration order."""
    query = select(participants).where(participants.c.erased_at.is_(None), *filters.where())
    if words := filters.words(keys):
        query = _named(query, words, after_seq)
    else:
        query = query.where(participants.c.seq > after_seq).order_by(participants.c.seq)
    rows, last = await page_of(conn, query, limit)
    return StoredPage(rows, last.seq if last is not None else None, keys)


def _named(query: Select[Any], digests: list[str], after_seq: int) -> Select[Any]:
    """Only the names holding every word, read from the words' (digest, seq) index: each word's matches
    come in registration order, so they merge-join and a page stops after its rows. (Through the words'
    participant ids, a common word made PostgreSQL walk the whole table: ~100 ms at 100,000 names.)"""
    found = [participant_name_words.alias(f"word{i}") for i in range(len(digests))]
    first = found[0]
    joined: FromClause = first
    for word, digest in zip(found[1:], digests[1:], strict=True):
        joined = joined.join(word, (word.c.word_digest == digest) & (word.c.seq == first.c.seq))
    return (
        query.select_from(joined.join(participants, participants.c.seq == first.c.seq))
        .where(first.c.word_digest == digests[0], first.c.seq > after_seq)
        .order_by(first.c.seq)
    )


def _to_participant(keys: PersonalDataKeys, row: Row[Any]) -> Participant:
    return Participant(
        participant_id=UUID(row.participant_id),
        nik=keys.decrypt(row.nik_encrypted),
        full_name=keys.decrypt(row.full_name_encrypted),
        gender=Gender(row.gender),
        birth_date=row.birth_date,
        phone=keys.decrypt_optional(row.phone_encrypted),
        email=keys.decrypt_optional(row.email_encrypted),
        disability=row.disability,
        domicile=Domicile(row.kota_code, row.kecamatan_code, row.kelurahan_code),
        business=Business(row.business_name, Sector(row.sector)) if row.sector else None,
        agency=Agency(row.agency),
        registered_on=row.registered_on,
        revision=row.profile_revision,
    )


@dataclass(frozen=True)
class SealedTags:
    """The name tags a resolve read, not opened yet: whom they name is known before anything is decrypted,
    so the audit entries can be written while the tags are opened (`open`)."""

    sealed: list[tuple[UUID, str, str]]  # (participant, its id as stored, its tag, sealed bound to that id)
    plain: list[NameTag]  # rows left untagged by the previous release, read from their name and NIK
    outside: list[UUID]  # found outside the caller's area: named nowhere
    keys: PersonalDataKeys

    @property
    def named(self) -> list[tuple[UUID, str]]:
        """Each participant named, with its id as stored (what the audit writes: no UUID to format)."""
        plain = [(tag.participant_id, str(tag.participant_id)) for tag in self.plain]
        return [(pid, stored) for pid, stored, _ in self.sealed] + plain

    def open(self) -> list[NameTag]:
        """One AES-GCM opening a tag (raises InvalidTag for a tag altered or moved to another row)."""
        unseal = self.keys.unseal
        opened = [NameTag.of_text(pid, unseal(token, stored)) for pid, stored, token in self.sealed]
        return opened + self.plain


async def name_tags(
    conn: AsyncConnection, keys: PersonalDataKeys, participant_ids: Sequence[UUID], caller: Principal
) -> SealedTags:
    """The name tags of these participants in the caller's area, and the ids found outside it.

    One query, the area read with the tags; the sealed name tags are opened later (SealedTags.open), one
    AES-GCM decryption a participant: the NIK itself stays encrypted. Erased participants have no name
    left and are answered like unknown ones. A row left untagged by the previous release's instances (a
    rolling deploy) is read from its name and NIK.
    """
    asked = {str(pid): pid for pid in participant_ids}
    c = participants.c
    query = select(c.participant_id, c.kota_code, c.agency, c.name_tag_encrypted).where(
        _among(conn, c.participant_id, list(asked)), c.erased_at.is_(None)
    )
    sealed, outside, untagged = [], [], []
    for row in await conn.execute(query):
        participant_id = asked[row.participant_id]
        if not caller.covers(row.kota_code, row.agency):
            outside.append(participant_id)
        elif row.name_tag_encrypted is None:  # written by the previous release's instances (migration 0007)
            untagged.append(row.participant_id)
        else:
            sealed.append((participant_id, row.participant_id, row.name_tag_encrypted))
    plain = []
    if untagged:
        untagged_query = select(c.participant_id, c.nik_encrypted, c.full_name_encrypted).where(
            _among(conn, c.participant_id, untagged), c.erased_at.is_(None)
        )
        for untagged_row in await conn.execute(untagged_query):
            nik = keys.decrypt(untagged_row.nik_encrypted)
            full_name = keys.decrypt(untagged_row.full_name_encrypted)
            plain.append(NameTag.of_text(asked[untagged_row.participant_id], NameTag.text(nik, full_name)))
    return SealedTags(sealed, plain, outside, keys)


def _among(conn: AsyncConnection, column: ColumnElement[str], values: list[str]) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL one text parameter the server splits (adapters.id_lists): an IN
    list is rendered and bound value by value on every call (~8% of a resolve of 500 ids), and an array
    parameter is dumped element by element."""
    if conn.dialect.name == "postgresql":
        return column == any_(id_lists.split("among", values))
    return column.in_(values)
