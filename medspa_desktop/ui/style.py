"""Every colour the program draws with, and the stylesheets made of them, declared once by what
they mean. A widget names the meaning (``style.ERROR_TEXT``, ``style.NOTICE_STRIP``), never a
colour: a change of shade happens here, and everywhere that meaning is shown follows.

Colours are "#rrggbb" strings (a stylesheet or rich text takes them as they are; a painter
wraps them in ``QColor``); a translucent one is an (r, g, b, alpha) tuple for ``QColor(*...)``.
No Qt here, so anything may import it.
"""

from __future__ import annotations

# -- the type scale and spacing ----------------------------------------------------------------
# Sizes are steps from the desktop's own font (which the user may have enlarged), never fixed
# points, except where a page is read at arm's length (a consent read by the patient).
SMALL_STEP = -1  # points off the desktop font: the schedule's small print, captions
SMALLEST_POINTS = 7.0  # never smaller than this
TITLE_STEP = 4  # a dialog's or empty list's heading
READING_POINTS = 15  # a consent form read by the patient on screen
READING_TITLE_POINTS = READING_POINTS + 6
SPACE_S, SPACE_M, SPACE_L = 4, 8, 12  # between related, grouped and separate things
PAGE_MARGINS = (36, 24, 36, 24)  # around a page read on screen (left, top, right, bottom)


def small_points(points: float) -> float:
    """The small print's size for a widget whose font is ``points``."""
    return max(SMALLEST_POINTS, points + SMALL_STEP)


# -- words -------------------------------------------------------------------------------------
ERROR_TEXT = "#b00020"  # a refusal shown in a form or panel; the mark on a damaged photo
ALERT_TEXT = "#8a1c13"  # a clinical finding: alerts before charting, an archived chart
WARNING_TEXT = "#7a4b00"  # amber: something to re-confirm or look at before booking
CLEAR_TEXT = "#1f5e2b"  # green: nothing to say
QUIET_TEXT = "#555555"  # a hint, an answer as given, a summary's small print
BACKUP_WARNING_TEXT = "#aa3333"  # the status bar's "not backed up" reminder
INACTIVE_ROW_TEXT = "#8a8a8a"  # a cancelled or no-show visit in the day's list

# -- banners and strips ------------------------------------------------------------------------
ALERT_BACKGROUND, ALERT_BORDER = "#fde2e1", "#e8a29c"
NOTICE_BACKGROUND, NOTICE_BORDER = "#fff4d6", "#e6c77a"
CLEAR_BACKGROUND, CLEAR_BORDER = "#e8f4ea", "#b7d8bd"


def _banner(background: str, text: str, border: str) -> str:
    return (f"background: {background}; color: {text}; padding: 6px; border: 1px solid "
            f"{border}; border-radius: 4px;")


# The chart's banner: red for a finding, amber for history to take or re-confirm, green only
# with nothing to say.
BANNER_ALERT = _banner(ALERT_BACKGROUND, ALERT_TEXT, ALERT_BORDER)
BANNER_NOTICE = _banner(NOTICE_BACKGROUND, WARNING_TEXT, NOTICE_BORDER)
BANNER_CLEAR = _banner(CLEAR_BACKGROUND, CLEAR_TEXT, CLEAR_BORDER)
BANNER_STYLES = {"alert": BANNER_ALERT, "notice": BANNER_NOTICE, "clear": BANNER_CLEAR}
# A strip of warnings above a list or form (stock alerts, booking alerts, answers kept)
NOTICE_STRIP = f"background: {NOTICE_BACKGROUND}; color: {WARNING_TEXT}; padding: 4px;"
ERROR_LINE = f"color: {ERROR_TEXT};"
QUIET_LINE = f"color: {QUIET_TEXT};"
STALE_ANSWER = f"color: {WARNING_TEXT}; font-weight: bold;"
BACKUP_WARNING = f"color: {BACKUP_WARNING_TEXT}; font-weight: bold;"
READ_ONLY_FIELD = "QLineEdit { background: palette(window); }"  # a total the form works out

# -- paper and backdrops -----------------------------------------------------------------------
PAPER = "#ffffff"  # what is drawn or signed on: the face chart, the signature pad, a page
PREVIEW_BACKDROP = "#7a7a7a"  # around the pages of a print preview
PHOTO_BACKDROP = "#2b2b2b"  # behind photos compared side by side
PHOTO_CAPTION = "#ffffff"  # captions and the slider's line over the photos
DAMAGED_PHOTO = "#eeeeee"  # the tile of a photo that cannot be read
PAGE = f"background: {PAPER};"
PREVIEW_PAGES = f"background: {PREVIEW_BACKDROP};"

# -- the lock screen and the chart's portrait ---------------------------------------------------
LOCK_BACKGROUND = "#20343a"
LOCK_SCREEN = f"#LockScreen {{ background: {LOCK_BACKGROUND}; }} QLabel {{ color: white; }}"
LOCK_BLANK = f"background: {LOCK_BACKGROUND};"
LOCK_MESSAGE = "color: #ffb4a8; font-weight: bold;"  # a refused password, light on dark
PORTRAIT = ("background: #2f6f73; color: white; font-size: 22px; border-radius: 32px;")

# -- drawing on paper (face chart, signature pad) -----------------------------------------------
FACE_INK = "#5b5048"  # the face's outline
INJECTION_POINT = "#b3261e"
SELECTED_POINT = "#1a5fb4"
SELECTED_AREA = (26, 95, 180, 40)  # the selected point's halo
POINT_NUMBER = "#ffffff"  # a point's number, and its ring when not selected
PAPER_LABEL = "#777777"  # "Patient's right", "Sign here"
PAPER_RULE = "#999"  # the signature line; the rule over the face chart's totals
SIGNATURE_INK = "#102a6b"

# -- the schedule -------------------------------------------------------------------------------
CATEGORY_COLOURS = {  # an appointment's fill, by treatment category (and its row in the list)
    "neurotoxin": "#d6e4fb",
    "filler": "#f9d5e3",
    "laser_resurfacing": "#ffe3bf",
    "laser_hair": "#fff0b3",
    "ipl": "#cdeed9",
    "acne_light": "#c9eef0",
    "pigment_vascular": "#e7d6f8",
    "body_contouring": "#dfe4ea",
    "mesotherapy": "#f7dcc8",
    "peel_microneedling": "#dcebc4",
}
CATEGORY_EDGES = {  # its border and left bar
    "neurotoxin": "#3b6fd1", "filler": "#c2417a", "laser_resurfacing": "#d9822b",
    "laser_hair": "#b8930b", "ipl": "#2f9a5b", "acne_light": "#23939a",
    "pigment_vascular": "#7e4cc2", "body_contouring": "#6b7785", "mesotherapy": "#b8672e",
    "peel_microneedling": "#5f8f26",
}
OTHER_CATEGORY, OTHER_CATEGORY_EDGE = "#e6e6e6", "#777777"
SETUP_SECTION_HELP = f"color: {QUIET_TEXT}; padding-bottom: 6px;"  # a setup page's help line
LOGO_FRAME = "border: 1px solid #c8c8c8; background: #ffffff;"  # the logo's preview


def swatch(colour: str) -> str:
    """The style of a small square showing ``colour`` (a service's own, chosen by the
    clinic), or an empty frame for none."""
    return f"background: {colour or 'transparent'}; border: 1px solid #999999;"


OWN_COLOUR_FILL = 0.3  # a service's own colour fills its block this strong over white


def _tint(colour: str, strength: float) -> str:
    """``colour`` ("#rrggbb") laid over white at ``strength`` (0 white … 1 the colour)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * strength):02x}" for c in rgb)


def appointment_colours(category_key: str, own: str = "") -> tuple[str, str]:
    """An appointment's (fill, edge) on the schedule: the service's own colour chosen in the
    clinic's setup (its edge, and a light tint of it as the fill), else its category's."""
    if own:
        return _tint(own, OWN_COLOUR_FILL), own
    return (CATEGORY_COLOURS.get(category_key, OTHER_CATEGORY),
            CATEGORY_EDGES.get(category_key, OTHER_CATEGORY_EDGE))


GRID_BACKGROUND = "#ffffff"
GRID_CLOSED_DAY = "#eeeeee"  # a column whose provider does not work that day
GRID_OUTSIDE_HOURS = "#f0f0f0"  # before and after a column's working hours
GRID_LINE = "#c8c8c8"  # the hours, the columns, under the header
GRID_FINE_LINE = "#ececec"  # the slots between the hours
GRID_TIME = QUIET_TEXT
GRID_HEADER = "#f5f5f5"
GRID_TEXT = "#1d1d1d"  # column names, the patient and service on a block
GRID_SELECTED_SLOT = (70, 130, 220, 60)
GRID_BLOCKED = "#d9d9d9"  # the hatching of time off or a room out of use
GRID_BLOCKED_TEXT = "#666666"
GRID_NOW = "#e0301e"  # the red "now" line
GRID_DROP = "#2a5bd7"  # where a dragged appointment would land
GRID_SELECTED_BLOCK = "#1a5fb4"  # the outline around the selected appointment
GRID_EMPTY_TEXT = QUIET_TEXT  # "No appointments today — press Ctrl+N to book"
# An appointment's status, drawn over its treatment colour: a pill with the status's name
# (background, text) and the block's border (colour, width, dashed). Keys are the stored
# status words (vocabulary.AppointmentStatus). Cancelled and no-show visits leave the grid
# (the list shows them, greyed) but have their pill for the legend and the list.
STATUS_PILLS = {
    "booked": ("#ffffff", "#4a4a4a"),
    "confirmed": ("#dbe7fb", "#1a4fa0"),
    "arrived": ("#f2a900", "#2b2000"),
    "in_treatment": ("#1f7a3a", "#ffffff"),
    "completed": ("#5a5a5a", "#ffffff"),
    "checked_out": ("#d5d5d5", "#3a3a3a"),
    "cancelled": ("#f3d2d2", "#7a1f1f"),
    "no_show": ("#7a1f1f", "#ffffff"),
}
STATUS_BORDERS = {
    "booked": ("#8a8a8a", 1, True),  # dashed: not yet confirmed
    "confirmed": ("#1a4fa0", 1, False),
    "arrived": ("#d18f00", 2, False),
    "in_treatment": ("#1f7a3a", 2, False),
    "completed": ("#5a5a5a", 1, False),
    "checked_out": ("#a0a0a0", 1, False),
    "cancelled": ("#b06060", 1, True),
    "no_show": ("#7a1f1f", 1, True),
}
# the small mark before the pill of a visit not yet confirmed: what was tried
# (messaging.confirmations): the glyph and its colour
CONFIRMATION_MARKS = {"reminder_sent": ("✉", "#2f6f73"), "no_answer": ("☎?", "#7a4b00")}
DONE_FILL_STRENGTH = 0.45  # a completed or checked-out visit's fill, faded toward white
# the corner badge of a visit whose patient has alerts: red for a finding, amber for a
# history to take or re-confirm (charts.alerts.tone)
ALERT_BADGES = {"alert": ("#c62828", "#ffffff"), "notice": ("#f0b400", "#2b2000")}


def faded(colour: str, strength: float = DONE_FILL_STRENGTH) -> str:
    """``colour`` ("#rrggbb") laid over white at ``strength``: a visit that is over."""
    return _tint(colour, strength)



# -- help and empty lists ------------------------------------------------------------------------
ACCENT = "#2f6f73"  # the program's own teal: headings in the guide, icons' strokes
ICON_INK = "#33414a"  # the icons' outline (resources/icons/*.svg are drawn in these two)
HELP_PAGE_CSS = (  # the user guide's pages (a QTextBrowser's rich text)
    f"h1 {{ color: {ACCENT}; font-size: x-large; margin-bottom: {SPACE_M}px; }}"
    f"h2 {{ color: {ACCENT}; font-size: large; margin-top: {SPACE_L}px; }}"
    f"p, li {{ margin-bottom: {SPACE_S}px; }}"
    f"b.menu {{ color: {GRID_TEXT}; }}"
    f"kbd {{ font-family: monospace; background: {GRID_HEADER}; }}")
EMPTY_STATE = f"color: {QUIET_TEXT}; padding: {SPACE_L}px; background: transparent;"
EMPTY_STATE_STEP = 1  # points over the desktop font: read from across the desk

# -- the Reports tab's charts ---------------------------------------------------------------
# the series of a chart in order (this period, the one compared with, …); documents/report.py
# draws the PDF's charts in the same colours (a test holds the two lists equal)
CHART_SERIES = ("#2f6f73", "#e08a3c", "#5b7fb3", "#9b5fa6", "#6a9a3a", "#c0504d", "#8c7a5b",
                "#4bacc6")
CHART_LINE = "#1d1d1d"  # a line over the bars: the year before
CHART_GRID = "#e4e4e4"
# the schedule's heat map: a square shaded from LOW (nothing booked) to HIGH (all booked);
# documents/heat_map.py prints the same (a test holds them equal)
HEAT_LOW = "#f3f7f7"
HEAT_HIGH = "#1f5c60"
HEAT_NONE = "#e6e6e6"  # never available (closed, off, blocked)
HEAT_GRID = "#ffffff"
HEAT_TEXT_DARK = "#1d1d1d"
HEAT_TEXT_LIGHT = "#ffffff"
