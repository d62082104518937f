"""Date, time and number formats for the languages Django ships none (or other ones) for.

Django's FORMAT_MODULE_PATH looks here first: ``tirek.formats.<language>.formats``.
Kazakhstan, Uzbekistan and Tajikistan write dates day.month.year, use a 24-hour clock, a
decimal comma and a (non-breaking) space between thousands. Without these modules Kazakh
fell back to Django's defaults and a deadline rendered as 02/26/2027 with a 12-hour clock.
"""
