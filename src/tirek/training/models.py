"""Capacity building: curriculum, e-learning progress, events, tests, certificates.

Texts that learners read exist in several languages. Courses, modules and lessons keep
one translation row per language (``CourseTranslation`` …); short quiz items keep a
``{language: text}`` map, which keeps a question and its answers in one editable row.
"""

from __future__ import annotations

import base64
import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tirek.accounts.models import Competency
from tirek.core.fields import user_fk
from tirek.core.models import VersionedModel
from tirek.core.validation import reject_control_chars

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    return (get_language() or "ru").split("-")[0]


def pick(texts: dict[str, str] | None, language: str | None = None) -> str:
    """The text in ``language`` (default: active), falling back to Russian, then any."""
    texts = texts or {}
    language = language or current_language()
    return texts.get(language) or texts.get("ru") or next(iter(texts.values()), "")


class Topic(models.TextChoices):
    LEGAL_FRAMEWORK = "legal-framework", _("International legal framework and the ten principles")
    PSYCHOLOGICAL_CONSEQUENCES = (
        "psychological-consequences",
        _("Psychological consequences of conflict"),
    )
    TRAUMA_INFORMED = "trauma-informed", _("Trauma-informed approaches")
    NEEDS_ASSESSMENT = "needs-assessment", _("Needs assessment")
    TRUST_COMMUNICATION = "trust-communication", _("Trust and communication")
    WORKING_WITH_PARENTS = "working-with-parents", _("Working with parents")
    STIGMA = "stigma", _("Stigma and discrimination")
    REINTEGRATION_PLANS = "reintegration-plans", _("Reintegration plans")
    MONITORING = "monitoring", _("Monitoring and evaluation")
    CHILD_INTERVIEWING = "child-interviewing", _("Child-sensitive interviewing")


class Audience(models.TextChoices):
    CASE_MANAGERS = "case-managers", _("Case managers")
    PSYCHOLOGISTS = "psychologists", _("Psychologists")
    TEACHERS = "teachers", _("Teachers")
    SOCIAL_WORKERS = "social-workers", _("Social workers")
    LAW_ENFORCEMENT = "law-enforcement", _("Law enforcement")
    PROSECUTORS = "prosecutors", _("Prosecutors")
    LAWYERS = "lawyers", _("Lawyers")
    RELIGIOUS_COUNSELLORS = "religious-counsellors", _("Religious counsellors")
    HEALTH_WORKERS = "health-workers", _("Health workers")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSPECIFIED = "unspecified", _("Not stated")


class Course(VersionedModel):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    audiences = models.JSONField(_("target audiences"), default=list, blank=True)
    # The competency a certificate for this course grants (data, not code), and for how long.
    competency = models.CharField(
        _("competency granted"), max_length=48, choices=Competency.choices, blank=True
    )
    validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MaxValueValidator(100)]
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    def translation(self, language: str | None = None) -> CourseTranslation | None:
        return _pick_translation(self, language)

    @property
    def title(self) -> str:
        tr = self.translation()
        return tr.title if tr else self.code

    def title_in(self, language: str) -> str:
        tr = self.translation(language)
        return tr.title if tr else self.code


def _pick_translation(obj: Any, language: str | None) -> Any:
    """Uses prefetched ``translations`` when present, so lists stay one query."""
    language = language or current_language()
    rows = list(obj.translations.all())
    by_lang = {row.language: row for row in rows}
    return by_lang.get(language) or by_lang.get("ru") or (rows[0] if rows else None)


_text = [reject_control_chars]


class Translation(models.Model):
    """One language's text of a course, a module or a lesson."""

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200, validators=_text)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title


class CourseTranslation(Translation):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="translations")
    objectives = models.TextField(_("objectives"), max_length=4000, blank=True, validators=_text)
    description = models.TextField(_("description"), max_length=4000, blank=True, validators=_text)

    class Meta:
        verbose_name = _("course translation")
        constraints = [
            models.UniqueConstraint(fields=["course", "language"], name="course_tr_unique")
        ]


class NumberedPart(models.Model):
    """A module of a course or a lesson of a module: numbered in its parent, titled in its
    translations ("#2" while it has none)."""

    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def translation(self, language: str | None = None) -> Translation | None:
        return _pick_translation(self, language)

    @property
    def title(self) -> str:
        tr = self.translation()
        return tr.title if tr else f"#{self.order}"


class Module(NumberedPart):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    topic = models.CharField(_("topic"), max_length=48, choices=Topic.choices, blank=True)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "order", "id"]

    def translation(self, language: str | None = None) -> ModuleTranslation | None:
        return _pick_translation(self, language)


class ModuleTranslation(Translation):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="translations")
    summary = models.TextField(_("summary"), max_length=2000, blank=True, validators=_text)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "language"], name="module_tr_unique")
        ]


class Lesson(NumberedPart):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=10)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["module__order", "order", "id"]

    def translation(self, language: str | None = None) -> LessonTranslation | None:
        return _pick_translation(self, language)


class LessonTranslation(Translation):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="translations")
    # Markdown-like text; rendered by tirek.training.richtext, which escapes all HTML.
    body = models.TextField(_("text"), max_length=50000, blank=True, validators=_text)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "language"], name="lesson_tr_unique")
        ]


class LessonAsset(models.Model):
    """An image, a video or a downloadable file of a lesson, served by Tirek itself."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        FILE = "file", _("Material to download")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # Empty: for every language.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    title = models.CharField(_("title"), max_length=200, validators=_text)
    file = models.FileField(_("file"), upload_to="training/%Y/%m/")
    content_type = models.CharField(max_length=100, editable=False)

    class Meta:
        ordering = ["lesson", "id"]

    def __str__(self) -> str:
        return self.title


class Quiz(models.Model):
    """Questions with a pass mark: inside a lesson, a course's pre-test or its final test."""

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson quiz")
        PRE = "pre", _("Pre-test")
        FINAL = "final", _("Final test")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="quiz"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.LESSON)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "kind"],
                condition=~models.Q(kind="lesson"),
                name="quiz_one_pre_final_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course.code}:{self.kind}:{self.pk}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    texts = models.JSONField(_("question"), default=dict)

    class Meta:
        ordering = ["quiz", "order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return pick(self.texts)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(default=1)
    is_correct = models.BooleanField(default=False)
    texts = models.JSONField(_("answer"), default=dict)
    # Shown after the learner chose this answer: why it is right or wrong.
    feedback = models.JSONField(_("feedback"), default=dict, blank=True)

    class Meta:
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return pick(self.texts)

    @property
    def feedback_text(self) -> str:
        return pick(self.feedback)


class Enrolment(models.Model):
    """A learner's own-pace run through a course; progress lives in LessonProgress."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.course_id}"


class LessonProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.lesson_id}"


class QuizAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    submitted_at = models.DateTimeField(default=timezone.now)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("passed"))
    # {question_id: [choice_id, ...]} as chosen, to show the feedback again.
    answers = models.JSONField(default=dict)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["user", "quiz"], name="attempt_user_quiz_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.quiz_id}:{self.score}"


# The fields of an event its organiser sets (the form adds courses and modules).
EVENT_FIELDS = (
    "title",
    "kind",
    "mode",
    "start_date",
    "end_date",
    "place",
    "region",
    "organisers",
    "funders",
    "language",
    "attendance_threshold",
    "pass_mark",
)


class Event(VersionedModel):
    class Kind(models.TextChoices):
        TOT = "tot", _("Training of trainers")
        WORKSHOP = "workshop", _("Workshop")
        WEBINAR = "webinar", _("Webinar")
        STUDY_VISIT = "study-visit", _("Study visit")

    class Mode(models.TextChoices):
        IN_PERSON = "in-person", _("In person")
        ONLINE = "online", _("Online")

    title = models.CharField(_("title"), max_length=200, validators=_text)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    mode = models.CharField(_("format"), max_length=16, choices=Mode.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=200, blank=True, validators=_text)
    region = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    organisers = models.CharField(_("organisers"), max_length=500, blank=True, validators=_text)
    funders = models.CharField(_("funders"), max_length=500, blank=True, validators=_text)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    courses = models.ManyToManyField(Course, related_name="events", verbose_name=_("courses"))
    modules = models.ManyToManyField(
        Module, blank=True, related_name="events", verbose_name=_("modules covered")
    )
    attendance_threshold = models.PositiveSmallIntegerField(
        _("attendance needed for a certificate, percent of days"),
        default=80,
        validators=[MaxValueValidator(100)],
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("post-test pass mark (%)"), default=70, validators=[MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["start_date"], name="event_start_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def days(self) -> list[date]:
        from datetime import timedelta

        span = (self.end_date - self.start_date).days
        return [self.start_date + timedelta(days=i) for i in range(span + 1)]

    @property
    def gives_trainer_certificates(self) -> bool:
        return self.kind == self.Kind.TOT


class TrainerAssignment(models.Model):
    """A trainer delivering an event. A certified trainer carries the trainer certificate
    that allowed it (its event is where they were trained: the cascade link); a master
    trainer (first generation) needs none, and only a coordinator may mark one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="trainers")
    user = user_fk(null=True, related_name="trainer_assignments")
    external_name = models.CharField(
        _("external trainer"), max_length=200, blank=True, validators=_text
    )
    is_master = models.BooleanField(_("master trainer"), default=False)
    certificate = models.ForeignKey(
        "Certificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(external_name=""),
                name="trainer_user_or_name",
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(user__isnull=False),
                name="trainer_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.user_id and self.user:
            return self.user.get_full_name() or self.user.username
        return self.external_name


class Participant(models.Model):
    """Someone attending an event: a staff account or an external person."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    user = user_fk(null=True, related_name="event_participations")
    full_name = models.CharField(_("full name"), max_length=200, validators=_text)
    agency_name = models.CharField(_("agency"), max_length=200, blank=True, validators=_text)
    position = models.CharField(_("position"), max_length=200, blank=True, validators=_text)
    region = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.UNSPECIFIED)
    audience = models.CharField(
        _("professional group"), max_length=32, choices=Audience.choices, default=Audience.OTHER
    )
    language = models.CharField(
        _("certificate language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    pre_score = models.DecimalField(
        _("pre-test (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    post_score = models.DecimalField(
        _("post-test (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def gain(self) -> Any:
        if self.pre_score is None or self.post_score is None:
            return None
        return self.post_score - self.pre_score


class Attendance(models.Model):
    """Presence of one participant on one day of the event (absence: no row)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.day}"


def new_certificate_code() -> str:
    """16 base32 characters (80 random bits): unguessable, easy to read aloud or type."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


class Certificate(models.Model):
    class Kind(models.TextChoices):
        PARTICIPANT = "participant", _("Certificate of completion")
        TRAINER = "trainer", _("Trainer certificate")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    code = models.CharField(max_length=32, unique=True, default=new_certificate_code)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    # From an event (participant set) or from e-learning (user set, no event).
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    user = user_fk(null=True, related_name="training_certificates")
    holder_name = models.CharField(_("holder"), max_length=200)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="ru")
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=500, blank=True)
    grants = models.ManyToManyField("accounts.StaffCompetency", blank=True, related_name="+")

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "course"],
                condition=models.Q(participant__isnull=False, revoked_at__isnull=True),
                name="certificate_once_per_participant_course",
            ),
            models.UniqueConstraint(
                fields=["user", "course", "kind"],
                condition=models.Q(event__isnull=True, revoked_at__isnull=True),
                name="certificate_once_per_elearning_course",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class CertificatePdf(models.Model):
    """The certificate's PDF, made once by ``tirek worker`` (``tirek.training.tasks``) and
    kept encrypted under MEDIA_ROOT/certificates/ under a name fixed by the certificate's id,
    so a job run twice leaves one file. The holder downloads the stored file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be prepared")

    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, primary_key=True, related_name="pdf"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    stored_name = models.CharField(max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate PDF")
        verbose_name_plural = _("certificate PDFs")

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.status}"
