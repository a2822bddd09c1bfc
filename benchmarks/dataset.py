"""The conversations every benchmark database is loaded from.

One seeded generator produces users, threads, steps, elements and feedback
once per size; the Yonca and stock loaders each turn the same rows into their
own schema's values, so the three implementations read identical history.

The shape, per data set:

* the sidebar user owns ``threads`` threads of ten messages (user and
  assistant in turn) plus one long thread of ``long_thread_steps`` messages
  whose activity spans the whole season, as a farmer's running diary does;
* other users own half as many threads again (at least ``session_threads``),
  interleaved in time with the sidebar user's;
* one thread in twenty carries a photo on its first message (an element),
  one assistant message in sixteen has feedback, a third of it 👎;
* one thread in twenty mentions ``SEARCH_TERM`` in its name and in an
  assistant answer, so every implementation's search finds the same threads
  whether it reads names, messages or both.

Rows come in chunks of consecutive threads so that the 100k set never sits
in memory; ``DatasetFacts`` holds what the benchmark needs to know (ids and
the expected answers) and is computed while the rows are generated.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

SEARCH_TERM = "pambıq"
SIDEBAR_USER = "fermer@yonca.bench"
ASSISTANT_NAME = "Yonca"
STEPS_PER_THREAD = 10
# How many of the newest matching threads the expected answers keep: two
# sidebar pages, enough for every check the benchmark makes.
EXPECTED_DEPTH = 40

SEASON_START = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
# Threads start a minute apart; their ten messages take 27 seconds, so no
# two threads ever share a last-activity time and every order is total.
THREAD_SPACING = timedelta(seconds=60)
STEP_SPACING = timedelta(seconds=3)
CHUNK_THREADS = 2_000

ELEMENT_EVERY_THREADS = 20
HIT_EVERY_THREADS = 20
FEEDBACK_PROBABILITY = 1 / 16
THUMBS_DOWN_SHARE = 1 / 3
LONG_THREAD_ELEMENT_EVERY = 50

QUESTIONS = (
    "Buğda sahəsində alaq otları çoxalıb, nə vaxt dərmanlayım?",
    "Sabah yağış gözlənilir, suvarmanı təxirə salım?",
    "Pomidor yarpaqlarında sarı ləkələr var, bu nə xəstəlikdir?",
    "Torpağın pH-ı 8.1 çıxdı, hansı gübrəni seçim?",
    "Arpa əkini üçün toxum normasını hesablaya bilərsən?",
    "Damcı suvarma sistemi üçün nasos gücü nə qədər olmalıdır?",
    "Alma bağında budamanı hansı ayda edim?",
    "Kartof kolorado böcəyinə qarşı bioloji üsul varmı?",
    "Üzüm bağında mildiu əlamətləri görünür, nə edim?",
    "Yonca biçinindən sonra nə qədər su verim?",
    "Fındıq bağında torpaq eroziyasının qarşısını necə alım?",
    "Qarpız tağları niyə saralır?",
)
ANSWERS = (
    "Alaq otlarına qarşı ən yaxşı vaxt kollanma fazasıdır; küləksiz səhər "
    "saatlarında çiləyin və məhsul etiketindəki dozanı aşmayın.",
    "Yağış 10 mm-dən çox olarsa suvarmanı iki gün təxirə salın; torpaq "
    "nəmliyini 20 sm dərinlikdə yoxlayın.",
    "Sarı ləkələr erkən quraqlıq (alternarioz) əlamətidir; xəstə yarpaqları "
    "yığın və mis tərkibli preparatla 10 gündən bir çiləyin.",
    "Qələvi torpaqda ammonium sulfat və üzvi gübrə pH-ı yavaş-yavaş "
    "endirir; fosforu lent üsulu ilə verin.",
    "Arpa üçün hektara 180-200 kq toxum kifayətdir; səpin dərinliyi 4-5 sm olsun.",
    "Bir hektar damcı suvarma üçün 1.5-2.2 kVt nasos adətən yetərlidir; "
    "dəqiq hesab üçün borunun uzunluğunu və yamacı deyin.",
    "Alma ağaclarını qış yuxusunun sonunda, fevral-mart aylarında budayın; "
    "kəsikləri bağ məlhəmi ilə örtün.",
    "Bəli, Bacillus thuringiensis əsaslı preparatlar sürfələrə qarşı "
    "təsirlidir; isti və quru havada çiləyin.",
    "Mildiuya qarşı Bordo mayesi ilə profilaktik çiləmə edin və yarpaq "
    "sıxlığını azaldın ki, hava dövr etsin.",
    "Biçindən sonra bir dəfə bol suvarın, sonra torpaq quruduqca həftədə "
    "bir dəfə verin.",
    "Yamaclarda terras və ot örtüyü eroziyanı azaldır; cərgələri yamaca "
    "perpendikulyar salın.",
    "Tağların saralması çox vaxt azot çatışmazlığı və ya kök çürüməsidir; "
    "suvarmanı azaldın və yarpaq analizi edin.",
)
HIT_QUESTIONS = (
    "Pambıq sahəsində yarpaqlar qızarır, səbəbi nədir?",
    "Pambıq çiçəkləmə dövründə nə qədər su istəyir?",
    "Pambıq üçün azot gübrəsini neçə dəfəyə bölüm?",
)
HIT_ANSWERS = (
    "Qızarma pambıq üçün kalium və ya maqnezium çatışmazlığının əlamətidir; "
    "torpaq analizi edin və kalium sulfat verin.",
    "Çiçəkləmə dövründə pambıq ən çox suyu istəyir: hər 7-10 gündən bir, "
    "hektara təxminən 800-900 m³.",
    "Azotu pambıq üçün üç dəfəyə bölün: səpinqabağı, qönçələmədə və "
    "çiçəkləmənin əvvəlində.",
)


class UserRow(NamedTuple):
    id: str
    identifier: str
    created_at: str
    metadata: dict[str, Any]


class ThreadRow(NamedTuple):
    id: str
    created_at: str
    name: str
    user_id: str
    user_identifier: str
    metadata: dict[str, Any]


class StepRow(NamedTuple):
    id: str
    thread_id: str
    type: str
    name: str
    output: str
    created_at: str


class ElementRow(NamedTuple):
    id: str
    thread_id: str
    for_id: str
    user_id: str
    name: str


class FeedbackRow(NamedTuple):
    id: str
    for_id: str
    thread_id: str
    # Chainlit's value: 1 for 👍, 0 for 👎; each schema stores its own.
    value: int


class ActivityRow(NamedTuple):
    thread_id: str
    user_id: str
    last_activity_at: str


@dataclass
class Chunk:
    """Consecutive threads with everything that belongs to them."""

    users: list[UserRow] = field(default_factory=list)
    threads: list[ThreadRow] = field(default_factory=list)
    steps: list[StepRow] = field(default_factory=list)
    elements: list[ElementRow] = field(default_factory=list)
    feedbacks: list[FeedbackRow] = field(default_factory=list)
    activities: list[ActivityRow] = field(default_factory=list)


@dataclass(frozen=True)
class DatasetSpec:
    """How big a data set is; everything else follows from the seed."""

    threads: int
    long_thread_steps: int = 1_000
    other_users: int = 24
    session_threads: int = 50
    seed: int = 20250301

    @property
    def background_threads(self) -> int:
        return max(self.threads // 2, self.session_threads)

    @property
    def total_threads(self) -> int:
        return self.threads + self.background_threads + 1

    @property
    def total_steps(self) -> int:
        short = (self.threads + self.background_threads) * STEPS_PER_THREAD
        return short + self.long_thread_steps


@dataclass
class DatasetFacts:
    """Ids the benchmark uses and the answers every implementation must give.

    The expected lists hold the newest ``EXPECTED_DEPTH`` thread ids of the
    sidebar user, newest activity first.
    """

    threads: int
    sidebar_user_id: str
    sidebar_user_identifier: str
    long_thread_id: str
    session_threads: list[tuple[str, str]]
    newest_threads: list[str] = field(default_factory=list)
    newest_search_hits: list[str] = field(default_factory=list)
    newest_thumbs_down: list[str] = field(default_factory=list)
    long_thread_step_ids: list[str] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)


class _Newest:
    """Keeps the newest few (activity, thread id) pairs seen."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.heap: list[tuple[str, str]] = []

    def add(self, activity: str, thread_id: str) -> None:
        if len(self.heap) < self.depth:
            heapq.heappush(self.heap, (activity, thread_id))
        else:
            heapq.heappushpop(self.heap, (activity, thread_id))

    def ids(self) -> list[str]:
        return [thread_id for _, thread_id in sorted(self.heap, reverse=True)]


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DatasetGenerator:
    """Generates a data set chunk by chunk; ``facts`` is complete afterwards."""

    def __init__(self, spec: DatasetSpec) -> None:
        self.spec = spec
        self.random = random.Random(spec.seed)
        self.users = self._make_users()
        sidebar_user = self.users[0]
        self.facts = DatasetFacts(
            threads=spec.threads,
            sidebar_user_id=sidebar_user.id,
            sidebar_user_identifier=sidebar_user.identifier,
            long_thread_id=self._new_id(),
            session_threads=[],
            users={user.id: user.identifier for user in self.users},
        )
        self._owners = self._shuffle_owners()
        self._newest = _Newest(EXPECTED_DEPTH)
        self._newest_hits = _Newest(EXPECTED_DEPTH)
        self._newest_down = _Newest(EXPECTED_DEPTH)
        self._long_thread_down = False
        season = THREAD_SPACING * (spec.threads + spec.background_threads)
        self._long_step_spacing = season / max(spec.long_thread_steps, 1)

    def chunks(self) -> Iterator[Chunk]:
        """Yield the data set in chunks; the first carries the users."""
        total = len(self._owners)
        for start in range(0, max(total, 1), CHUNK_THREADS):
            chunk = Chunk()
            if start == 0:
                chunk.users = list(self.users)
                self._add_long_thread(chunk)
            for index in range(start, min(start + CHUNK_THREADS, total)):
                self._add_thread(chunk, index)
            self._add_long_thread_steps(chunk, start, start + CHUNK_THREADS)
            yield chunk
        self._finish_facts()

    def _new_id(self) -> str:
        # A version-4 UUID from the seeded generator, formatted by hand:
        # uuid.UUID() costs more than everything else a row needs.
        digits = f"{self.random.getrandbits(128):032x}"
        variant = "89ab"[int(digits[16], 16) & 3]
        return (
            f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
            f"{variant}{digits[17:20]}-{digits[20:]}"
        )

    def _make_users(self) -> list[UserRow]:
        users = [UserRow(self._new_id(), SIDEBAR_USER, timestamp(SEASON_START), {})]
        for number in range(1, self.spec.other_users + 1):
            users.append(
                UserRow(
                    self._new_id(),
                    f"fermer{number:03d}@yonca.bench",
                    timestamp(SEASON_START),
                    {},
                )
            )
        return users

    def _shuffle_owners(self) -> list[int]:
        # Index 0 is the sidebar user; the others own the background threads
        # in turn. Shuffling interleaves everyone's threads in time.
        background = self.spec.background_threads
        others = max(len(self.users) - 1, 1)
        owners = [0] * self.spec.threads
        owners += [1 + number % others for number in range(background)]
        self.random.shuffle(owners)
        return owners

    def _add_thread(self, chunk: Chunk, index: int) -> None:
        owner = self.users[self._owners[index]]
        created = SEASON_START + THREAD_SPACING * index
        thread_id = self._new_id()
        is_hit = index % HIT_EVERY_THREADS == 7
        name = self.random.choice(HIT_QUESTIONS if is_hit else QUESTIONS)

        # A thread starts on a whole minute and its messages stay inside it,
        # so one formatted prefix serves all ten timestamps.
        minute = created.strftime("%Y-%m-%dT%H:%M:")
        seconds = int(STEP_SPACING.total_seconds())
        thumbs_down = False
        for position in range(STEPS_PER_THREAD):
            moment = f"{minute}{seconds * position:02d}.000000Z"
            if position % 2 == 0:
                text = name if position == 0 else self.random.choice(QUESTIONS)
                step_id = self._add_question(chunk, thread_id, owner, text, moment)
                if position == 0 and index % ELEMENT_EVERY_THREADS == 3:
                    self._add_photo(chunk, thread_id, step_id, owner, f"yarpaq-{index}")
            else:
                pool = HIT_ANSWERS if is_hit and position == 1 else ANSWERS
                text = self.random.choice(pool)
                _, down = self._add_answer(chunk, thread_id, text, moment)
                thumbs_down = thumbs_down or down

        metadata = {"language": "az", "farm_id": f"farm-{self._owners[index]:03d}"}
        chunk.threads.append(
            ThreadRow(
                thread_id,
                timestamp(created),
                name,
                owner.id,
                owner.identifier,
                metadata,
            )
        )
        chunk.activities.append(ActivityRow(thread_id, owner.id, moment))
        self._remember(owner, thread_id, moment, is_hit, thumbs_down)

    def _add_question(
        self, chunk: Chunk, thread_id: str, owner: UserRow, text: str, moment: str
    ) -> str:
        step_id = self._new_id()
        chunk.steps.append(
            StepRow(step_id, thread_id, "user_message", owner.identifier, text, moment)
        )
        return step_id

    def _add_answer(
        self, chunk: Chunk, thread_id: str, text: str, moment: str
    ) -> tuple[str, bool]:
        """Add an assistant message; return its id and whether it got a 👎."""
        step_id = self._new_id()
        chunk.steps.append(
            StepRow(
                step_id, thread_id, "assistant_message", ASSISTANT_NAME, text, moment
            )
        )
        if self.random.random() >= FEEDBACK_PROBABILITY:
            return step_id, False
        value = 0 if self.random.random() < THUMBS_DOWN_SHARE else 1
        chunk.feedbacks.append(FeedbackRow(self._new_id(), step_id, thread_id, value))
        return step_id, value == 0

    def _add_photo(
        self, chunk: Chunk, thread_id: str, step_id: str, owner: UserRow, stem: str
    ) -> None:
        chunk.elements.append(
            ElementRow(self._new_id(), thread_id, step_id, owner.id, f"{stem}.jpg")
        )

    def _remember(
        self,
        owner: UserRow,
        thread_id: str,
        last_activity: str,
        is_hit: bool,
        has_thumbs_down: bool,
    ) -> None:
        if owner.identifier == SIDEBAR_USER:
            self._newest.add(last_activity, thread_id)
            if is_hit:
                self._newest_hits.add(last_activity, thread_id)
            if has_thumbs_down:
                self._newest_down.add(last_activity, thread_id)
        elif len(self.facts.session_threads) < self.spec.session_threads:
            self.facts.session_threads.append((thread_id, owner.identifier))

    def _add_long_thread(self, chunk: Chunk) -> None:
        owner = self.users[0]
        chunk.threads.append(
            ThreadRow(
                self.facts.long_thread_id,
                timestamp(SEASON_START - timedelta(seconds=1)),
                "Mövsüm gündəliyi: sahələr, suvarma, gübrə",
                owner.id,
                owner.identifier,
                {"language": "az", "farm_id": "farm-000"},
            )
        )

    def _long_step_time(self, position: int) -> datetime:
        # Half a minute into a thread's slot, where no short thread has a
        # message, so the long thread's activity never ties with another.
        return (
            SEASON_START + self._long_step_spacing * position + timedelta(seconds=29.5)
        )

    def _add_long_thread_steps(self, chunk: Chunk, start: int, stop: int) -> None:
        # The long thread's messages are spread over the season and written
        # with the threads of their time, as they would be in real use.
        owner = self.users[0]
        window_start = SEASON_START + THREAD_SPACING * start
        window_stop = SEASON_START + THREAD_SPACING * stop
        first_chunk = start == 0
        last_chunk = stop >= len(self._owners)
        for position in range(self.spec.long_thread_steps):
            moment = self._long_step_time(position)
            in_window = window_start <= moment < window_stop
            if not (
                in_window
                or (first_chunk and moment < window_start)
                or (last_chunk and moment >= window_stop)
            ):
                continue
            self._add_long_step(chunk, owner, position, moment)

        if last_chunk:
            self._finish_long_thread(chunk, owner)

    def _add_long_step(
        self, chunk: Chunk, owner: UserRow, position: int, moment: datetime
    ) -> None:
        thread_id = self.facts.long_thread_id
        text = self.random.choice(QUESTIONS if position % 2 == 0 else ANSWERS)
        if position % 2 == 0:
            step_id = self._add_question(
                chunk, thread_id, owner, text, timestamp(moment)
            )
            if position % LONG_THREAD_ELEMENT_EVERY == 0:
                self._add_photo(chunk, thread_id, step_id, owner, f"sahe-{position}")
        else:
            step_id, down = self._add_answer(chunk, thread_id, text, timestamp(moment))
            self._long_thread_down = self._long_thread_down or down
        self.facts.long_thread_step_ids.append(step_id)

    def _finish_long_thread(self, chunk: Chunk, owner: UserRow) -> None:
        steps = self.spec.long_thread_steps
        last = self._long_step_time(steps - 1) if steps else SEASON_START
        activity = timestamp(last)
        chunk.activities.append(
            ActivityRow(self.facts.long_thread_id, owner.id, activity)
        )
        self._newest.add(activity, self.facts.long_thread_id)
        if self._long_thread_down:
            self._newest_down.add(activity, self.facts.long_thread_id)

    def _finish_facts(self) -> None:
        self.facts.newest_threads = self._newest.ids()
        self.facts.newest_search_hits = self._newest_hits.ids()
        self.facts.newest_thumbs_down = self._newest_down.ids()
