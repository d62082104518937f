"""Where people work: the region tree, agencies and the units inside them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localised(names: dict[str, str]) -> str:
    """The name in the active language, falling back to Russian, then any."""
    lang = (get_language() or "ru").split("-")[0]
    return names.get(lang) or names.get("ru") or next(iter(names.values()), "")


class Region(models.Model):
    """A node of the tree country → oblast / city → district → community (a mahalla, an
    akimat's rural district: the level a community worker serves, issue 16).

    ``path`` is the chain of codes from the root ("kz/kz-karaganda/"), so "this region
    and everything under it" is one indexed ``startswith`` filter in SQL.
    """

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        OBLAST = "oblast", _("Region (oblast)")
        CITY = "city", _("City of republican significance")
        DISTRICT = "district", _("District")
        COMMUNITY = "community", _("Mahalla / community")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    names = models.JSONField(_("names"), default=dict)
    path = models.CharField(max_length=512, db_index=True, editable=False)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        prefix = self.parent.path if self.parent_id and self.parent else ""
        self.path = f"{prefix}{self.code}/"
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        parent = self.parent if self.parent_id else None
        if self.kind == self.Kind.COMMUNITY and (
            parent is None or parent.kind != self.Kind.DISTRICT
        ):
            raise ValidationError({"parent": _("A mahalla / community sits under a district.")})
        if parent is not None and parent.kind == self.Kind.COMMUNITY:
            raise ValidationError({"parent": _("Nothing sits below a mahalla / community.")})

    @property
    def name(self) -> str:
        return localised(self.names)

    @property
    def country_code(self) -> str:
        return self.path.split("/", 1)[0]


class Agency(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        AKIMAT = "akimat", _("Local executive body (akimat)")
        REHAB_CENTRE = "rehab_centre", _("Rehabilitation centre")
        SCHOOL = "school", _("School")
        CLINIC = "clinic", _("Clinic")
        NGO = "ngo", _("Non-governmental organisation")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        COURT = "court", _("Court")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("region")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subordinates",
        verbose_name=_("parent agency"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "region"], name="agency_unique_name_region")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A team inside an agency; supervisors see all cases of their unit.

    Uzbekistan's interdepartmental commissions are modelled as units too.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("region")
    )
    is_commission = models.BooleanField(_("interdepartmental commission"), default=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unit_unique_name_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency.name} — {self.name}"
