"""Generate synthetic Parallel Parliament "family A" transcript pages for benchmarking.

Every word is produced here from our own vocabulary and sentence templates; nothing is copied
from the reference corpus. Output follows shared/reference/pp-text.md §2: a debate-page header
or a bare title, "<Member> Excerpts" block headers (date, relative age, location, nav line),
speaker blocks "<Key> Portrait <Display>" with all four marker forms, paragraphs separated by one
empty line, "--- Later in debate ---", "None Portrait Several hon. Members rose—", offices and
constituencies containing commas, Lords titles with parties, and pages holding two or three
debate blocks (with PP's listing preamble).

Deterministic from --seed. Streaming: each page is written paragraph by paragraph straight to
its file, and generation stops once the total written reaches --mb.

    python bench/generate_text.py OUT_DIR --mb 100 --seed 1
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random

CRAWL_DATE = date(2025, 11, 28)  # fixed "now" for relative ages, so output is deterministic
MB = 1_000_000
MIN_PAGE, MAX_PAGE, MEDIAN_PAGE = 20_000, 195_000, 55_000
MEDIAN_WORDS, WORDS_SIGMA, MAX_WORDS = 150, 0.9, 2000

# --------------------------------------------------------------------------- vocabulary

FIRST_M = (
    "Alasdair Ben Callum Conrad Declan Edwin Fergus Gareth Hamish Idris Jasper Kieran Lewis "
    "Malcolm Neville Oliver Piers Quentin Rhys Simon Tobias Vaughan Wilfred Adrian Bernard "
    "Cedric Dominic Emrys Felix Graham Howard Ivor Julian Kenneth Leon Marcus Nathan Owen "
    "Patrick Roland Stuart Terence Warren"
).split()
FIRST_F = (
    "Abigail Bronwen Cressida Delia Eleanor Fiona Gwen Harriet Imelda Joanna Katrina Lorna "
    "Miriam Nadia Olwen Philippa Rosalind Sadie Tamsin Una Verity Wendy Yasmin Zara Alison "
    "Beatrice Carys Dorothy Esther Frances Gillian Helena Isobel Judith Kirsty Lydia Maeve "
    "Nerys Orla Priya Rowena Sian Thea"
).split()
SURNAMES = (
    "Abernethy Ashdown Barraclough Beddoes Blakemore Brennock Calloway Carrick Chadwick Crane "
    "Dacre Danvers Denholm Eddowes Elstow Fairbairn Fenwick Garside Gilchrist Greave Hadley "
    "Harcourt Haverigg Hollier Ibbotson Inchbald Jessop Kettering Kinloch Lacey Latymer Lomax "
    "Maddox Merriman Moncrieff Nettleton Northcote Oakes Ormerod Pike Pritchard Quennell "
    "Radcliffe Rainsford Royle Sandys Seddon Strang Tolland Trevelyan Truscott Upjohn Venn "
    "Villiers Wadsworth Whitlock Winstanley Yardley Ackroyd Bellingham Brocklehurst Cottam "
    "Dunmore Everard Farrant Gosling Hebden Illingworth Jolliffe Kendrick Lismore Marwood "
    "Nuttall Oldroyd Penhaligon Ramsbottom Shackleton Tennant Urquhart Verity Waddington "
    "Yelland Ashworth Birtwistle Catterall Dewhurst Entwistle Fothergill Greenhalgh Holroyd "
    "Kershaw Lumb Mellor Pilling Rushworth Sowerby Thwaite Whiteley"
).split()
PLACE_HEAD = (
    "Ash Bram Kel Wick Thorn Hol Mar Cal Fen Ald Brad Cran Dun Elm Gar Hart Lang Nor Oak Pen "
    "Red Stan Tarn Wel Whit Yar Bex Chil Dor Ever Fox Glas Hal Ink Kim Lud Mel Nant Ock Pol "
    "Rav Sal Tew Up Wal Brack Cas Dray Hey Lox"
).split()
PLACE_TAIL = (
    "by ford ham ton field wick marsh leigh well stead worth bury combe dale mouth gate "
    "borough hurst ley thorpe bridge minster cote den side wood"
).split()
PLACE_QUAL = ("North", "South", "East", "West", "Upper", "Lower", "Central", "Mid")
PLACE_SUFFIX = ("Vale", "Valley", "Moor", "Heath", "Marsh", "Downs", "Forest", "Wolds", "Fells")

PARTIES_COMMONS = (
    ("Lab", 50),
    ("Con", 22),
    ("LD", 9),
    ("SNP", 4),
    ("Lab/Co-op", 5),
    ("DUP", 2),
    ("PC", 1),
    ("Green", 1),
    ("Reform", 1),
    ("Ind", 1),
    ("SDLP", 1),
    ("Alliance", 1),
)
PARTIES_LORDS = (
    ("Con", 30),
    ("Lab", 28),
    ("LD", 10),
    ("CB", 22),
    ("Non-Afl", 3),
    ("GP", 1),
    ("DUP", 1),
    ("UUP", 1),
    ("Ind Lab", 1),
)

DEPARTMENTS = (
    "Department for Transport",
    "Department of Health and Social Care",
    "Department for Education",
    "Department for Environment, Food and Rural Affairs",
    "Ministry of Housing, Communities and Local Government",
    "Home Office",
    "Ministry of Defence",
    "Department for Energy Security and Net Zero",
    "Department for Culture, Media and Sport",
    "Department for Science, Innovation and Technology",
    "Department for Work and Pensions",
    "Ministry of Justice",
    "Foreign, Commonwealth and Development Office",
    "HM Treasury",
    "Department for Business and Trade",
    "Cabinet Office",
)
DEPT_SLUG = {
    "Department for Transport": "DfT",
    "Department of Health and Social Care": "DHSC",
    "Department for Culture, Media and Sport": "DCMS",
    "Foreign, Commonwealth and Development Office": "FCDO",
    "Cabinet Office": "cabinet-office",
}
# topic -> department index, title stems, nouns, people, aims
TOPICS: tuple[dict, ...] = (
    dict(
        dept=0,
        titles=(
            "Rural Bus Services",
            "Regional Rail Timetables",
            "Road Maintenance Funding",
            "Level Crossing Safety",
            "Cycling Infrastructure",
            "Ferry Services: Island Communities",
            "Station Accessibility",
            "Local Roads: Potholes",
        ),
        nouns=(
            "bus routes",
            "rail fares",
            "the timetable",
            "station car parks",
            "level crossings",
            "local road budgets",
            "the concessionary fare scheme",
            "cycle lanes",
            "ferry crossings",
            "rolling stock",
            "step-free access",
            "the pothole backlog",
            "evening services",
            "rural connections",
        ),
        people=(
            "commuters",
            "bus drivers",
            "rail passengers",
            "disabled travellers",
            "hauliers",
            "cyclists",
            "pupils who travel by bus",
            "shift workers",
        ),
        aims=(
            "improve rural bus services",
            "reduce delays on regional railways",
            "repair local roads",
            "make stations accessible",
        ),
    ),
    dict(
        dept=1,
        titles=(
            "Community Pharmacies",
            "GP Appointments: Rural Areas",
            "Ambulance Response Times",
            "Dental Services",
            "Maternity Care: Safety",
            "Hospice Funding",
            "Mental Health Services for Young People",
        ),
        nouns=(
            "waiting lists",
            "ambulance handovers",
            "GP appointments",
            "community pharmacies",
            "NHS dental contracts",
            "hospice funding",
            "maternity units",
            "the mental health workforce",
            "hospital discharge",
            "social care packages",
            "the urgent care centre",
        ),
        people=(
            "patients",
            "nurses",
            "paramedics",
            "carers",
            "junior doctors",
            "pharmacists",
            "families of patients",
            "midwives",
        ),
        aims=(
            "cut waiting times",
            "recruit more dentists",
            "support hospices",
            "improve maternity safety",
        ),
    ),
    dict(
        dept=2,
        titles=(
            "Teacher Recruitment",
            "Special Educational Needs Provision",
            "School Buildings: Condition",
            "Further Education Funding",
            "Free School Meals",
            "Schools (Breakfast Provision) Bill",
            "Home-to-School Transport",
        ),
        nouns=(
            "teacher vacancies",
            "school budgets",
            "SEND provision",
            "education, health and care plans",
            "school buildings",
            "further education colleges",
            "free school meals",
            "breakfast clubs",
            "exam results",
            "apprenticeships",
        ),
        people=(
            "teachers",
            "parents",
            "headteachers",
            "pupils",
            "teaching assistants",
            "college lecturers",
            "school governors",
        ),
        aims=(
            "recruit and retain teachers",
            "improve SEND provision",
            "repair school buildings",
            "expand breakfast clubs",
        ),
    ),
    dict(
        dept=3,
        titles=(
            "Chalk Streams: Water Quality",
            "Storm Overflows",
            "Farming: Support Schemes",
            "Flood Defences",
            "Tree Planting Targets",
            "Bathing Water Status",
            "Agricultural Land: Solar Farms",
        ),
        nouns=(
            "storm overflows",
            "river quality",
            "flood defences",
            "farm payments",
            "the environmental land management scheme",
            "hedgerows",
            "sewage discharges",
            "drainage boards",
            "bathing waters",
            "soil health",
            "food security",
        ),
        people=(
            "farmers",
            "anglers",
            "water company customers",
            "residents in flood-risk areas",
            "environmental groups",
            "tenant farmers",
        ),
        aims=(
            "reduce sewage discharges",
            "support farmers",
            "strengthen flood defences",
            "protect chalk streams",
        ),
    ),
    dict(
        dept=4,
        titles=(
            "Social Housing Supply",
            "Leasehold Reform",
            "Temporary Accommodation",
            "Local Government Finance",
            "Planning: Green Belt",
            "Building Safety: Remediation",
            "Short-term Lets",
        ),
        nouns=(
            "social housing",
            "temporary accommodation",
            "leasehold charges",
            "council budgets",
            "the planning system",
            "cladding remediation",
            "housing waiting lists",
            "affordable homes",
            "short-term lets",
            "the local plan",
        ),
        people=(
            "tenants",
            "leaseholders",
            "councillors",
            "homeless families",
            "first-time buyers",
            "planning officers",
            "housing associations",
        ),
        aims=(
            "build more social homes",
            "end the use of bed and breakfast accommodation",
            "reform leasehold",
            "fix local government finance",
        ),
    ),
    dict(
        dept=5,
        titles=(
            "Neighbourhood Policing",
            "Knife Crime",
            "Retail Crime",
            "Police Funding Formula",
            "Antisocial Behaviour",
            "Fraud Prevention",
            "Visa Processing Times",
        ),
        nouns=(
            "neighbourhood policing",
            "knife crime",
            "shoplifting",
            "police numbers",
            "the funding formula",
            "antisocial behaviour",
            "fraud",
            "visa processing",
            "response times",
            "youth diversion schemes",
            "CCTV coverage",
        ),
        people=(
            "police officers",
            "shopkeepers",
            "victims of crime",
            "police community support officers",
            "youth workers",
            "residents",
        ),
        aims=(
            "put more officers on the beat",
            "tackle retail crime",
            "reduce knife crime",
            "clear the visa backlog",
        ),
    ),
    dict(
        dept=6,
        titles=(
            "Armed Forces Housing",
            "Veterans' Mental Health",
            "Defence Procurement",
            "Reserve Forces",
            "Shipbuilding",
        ),
        nouns=(
            "service family accommodation",
            "defence procurement",
            "the reserves",
            "veterans' services",
            "shipbuilding contracts",
            "recruitment targets",
            "the equipment plan",
            "training estates",
        ),
        people=(
            "service personnel",
            "veterans",
            "reservists",
            "service families",
            "defence suppliers",
        ),
        aims=(
            "improve service housing",
            "support veterans",
            "speed up procurement",
            "grow the reserves",
        ),
    ),
    dict(
        dept=7,
        titles=(
            "Energy Bills: Support",
            "Onshore Wind",
            "Home Insulation",
            "Grid Connections",
            "Off-gas-grid Households",
            "Community Energy",
        ),
        nouns=(
            "energy bills",
            "the price cap",
            "home insulation",
            "grid connections",
            "heat pumps",
            "onshore wind",
            "standing charges",
            "off-grid heating",
            "community energy schemes",
            "prepayment meters",
        ),
        people=(
            "households",
            "pensioners",
            "small businesses",
            "installers",
            "rural households",
            "energy suppliers",
        ),
        aims=(
            "bring down energy bills",
            "insulate more homes",
            "speed up grid connections",
            "support community energy",
        ),
    ),
    dict(
        dept=8,
        titles=(
            "Public Libraries",
            "Grassroots Music Venues",
            "Local Museums",
            "Heritage Railways",
            "Community Sport Facilities",
            "Local Newspapers",
        ),
        nouns=(
            "public libraries",
            "music venues",
            "local museums",
            "heritage sites",
            "swimming pools",
            "playing fields",
            "local journalism",
            "arts funding",
            "the lottery distributors",
        ),
        people=(
            "librarians",
            "musicians",
            "volunteers",
            "young people",
            "club secretaries",
            "local reporters",
        ),
        aims=(
            "keep libraries open",
            "protect grassroots venues",
            "support local museums",
            "fund community sport",
        ),
    ),
    dict(
        dept=9,
        titles=(
            "Rural Broadband",
            "Mobile Coverage: Not-spots",
            "Online Safety",
            "Artificial Intelligence: Public Services",
            "Digital Exclusion",
        ),
        nouns=(
            "gigabit broadband",
            "mobile not-spots",
            "online safety",
            "digital skills",
            "the shared rural network",
            "voucher schemes",
            "public sector data",
            "artificial intelligence",
        ),
        people=(
            "rural businesses",
            "older residents",
            "parents",
            "software developers",
            "small firms",
            "students",
        ),
        aims=(
            "roll out gigabit broadband",
            "close mobile not-spots",
            "tackle digital exclusion",
            "keep children safe online",
        ),
    ),
    dict(
        dept=10,
        titles=(
            "Carer's Allowance",
            "Pension Credit Take-up",
            "Universal Credit: Deductions",
            "Disability Benefits: Assessments",
            "Child Poverty",
        ),
        nouns=(
            "carer's allowance",
            "pension credit",
            "universal credit",
            "benefit assessments",
            "child poverty",
            "the two-child limit",
            "jobcentres",
            "the household support fund",
            "overpayments",
        ),
        people=(
            "unpaid carers",
            "pensioners",
            "claimants",
            "disabled people",
            "single parents",
            "work coaches",
        ),
        aims=(
            "increase pension credit take-up",
            "support unpaid carers",
            "reduce child poverty",
            "speed up assessments",
        ),
    ),
    dict(
        dept=11,
        titles=(
            "Court Backlogs",
            "Prison Capacity",
            "Probation Service",
            "Legal Aid",
            "Victims' Rights",
        ),
        nouns=(
            "the Crown court backlog",
            "prison places",
            "the probation service",
            "legal aid",
            "victim support",
            "court buildings",
            "remand numbers",
            "rehabilitation programmes",
        ),
        people=(
            "victims",
            "magistrates",
            "prison officers",
            "probation officers",
            "barristers",
            "witnesses",
        ),
        aims=(
            "cut the court backlog",
            "build prison places",
            "strengthen probation",
            "support victims",
        ),
    ),
)
PORTFOLIOS = (
    ("Rail", "Roads and Local Transport", "Buses"),
    ("Care", "Health and Secondary Care", "Public Health and Prevention"),
    ("School Standards", "Skills", "Children and Families"),
    ("Farming", "Water and Flooding", "Nature"),
    ("Housing and Planning", "Local Government and Homelessness"),
    ("Policing and Crime", "Security", "Border Security and Asylum"),
    ("the Armed Forces", "Veterans and People", "Defence Procurement"),
    ("Energy Consumers", "Energy"),
    ("Creative Industries, Media and Arts", "Sport, Media, Civil Society and Youth"),
    ("Data Protection and Telecoms", "the Digital Economy"),
    ("Pensions", "Social Security and Disability", "Employment"),
    (
        "Courts and Legal Services",
        "Prisons, Parole and Probation",
        "Victims and Violence Against Women and Girls",
    ),
    ("Development", "Europe"),
    ("the Cabinet Office", "Exchequer Secretary"),
    ("Trade Policy", "Small Business"),
    ("the Constitution", "the Cabinet Office"),
)
ORGS = (
    "the local council",
    "the regulator",
    "the integrated care board",
    "the department",
    "the county council",
    "the combined authority",
    "the Local Government Association",
    "the National Audit Office",
    "the Select Committee",
    "the trade association",
    "a local charity",
    "the chamber of commerce",
    "the parish council",
    "the health trust",
)
JOBS = (
    "retired nurse",
    "farmer",
    "teacher",
    "shop owner",
    "bus driver",
    "carer",
    "student",
    "engineer",
    "café owner",
    "lorry driver",
    "pensioner",
    "care worker",
    "electrician",
)
PERIODS = ("decade", "five years", "two years", "year", "three years", "parliament")
DURATIONS = (
    "six weeks",
    "three months",
    "eighteen weeks",
    "a year",
    "nine months",
    "four hours",
    "two days",
    "fourteen months",
    "a fortnight",
)
CHANGES = (
    "fallen sharply",
    "risen steadily",
    "become less reliable",
    "been cut back",
    "been stretched to breaking point",
    "improved only slowly",
    "stood still",
    "got noticeably worse",
    "recovered a little",
)
EVALUATIONS = (
    "a priority for the spending review",
    "funded properly",
    "reviewed urgently",
    "protected from further cuts",
    "simpler for people to use",
    "measured against clear targets",
    "decided locally",
)
HARDSHIPS = (
    "travel miles for basic services",
    "wait months for an answer",
    "choose between heating and eating",
    "fill in the same form three times",
    "rely on the goodwill of neighbours",
    "pay more for a worse service",
)
GOV_ACTIONS = (
    "published a consultation",
    "increased funding",
    "set up a taskforce",
    "changed the guidance",
    "written to every council",
    "launched a pilot",
    "commissioned an independent review",
    "laid new regulations",
)
GOV_FUTURE = (
    "publish our response",
    "set out further measures",
    "report back to the House",
    "announce the allocations",
    "legislate where necessary",
    "extend the pilot",
)
ADVERBS = ("frankly", "simply", "clearly", "genuinely", "of course", "in practice")
INTERESTS = (
    "a vice-president of the Local Government Association",
    "the chair of a housing association",
    "a farmer",
    "a trustee of a charity working in this area",
    "the owner of a small business",
)
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

# Templates: {slot} names below. Our own wording; a sentence is about 12-35 words.
SENTENCES = (
    "In {place}, {people} tell me that {noun} have {change} over the past {period}.",
    "The figures are stark: {pct} of {people} in my constituency now wait longer than "
    "{duration} for {noun}.",
    "We have committed {money} over the next {small} years to improve {noun}.",
    "That is not a small problem, and it will not be solved by another consultation.",
    "{Org} has told me that {noun} cannot be sustained on the current settlement.",
    "It is {adverb} not good enough that {people} should have to {hardship}.",
    "The Government have already {gov_action}, and we will {gov_future} before the end of the "
    "year.",
    "I have met {org} twice since the summer, and I will continue to press them on {noun}.",
    "Let me turn to {noun}, which several Members have raised this afternoon.",
    "Since {year}, spending on {noun} has {moved} by {pct} in real terms.",
    "My constituent, a {job} from {place}, waited {duration} for {noun}; that is a story I hear "
    "far too often.",
    "We need a long-term plan for {noun}, not a series of announcements.",
    "I will write with the detail, and I will place a copy of the letter in the Library.",
    "There are {count} {people} in {place} alone, and each of them deserves a straight answer.",
    "The last time this House debated {noun}, we were promised action within {duration}.",
    "{Adverb_cap}, the question is not whether to act but how quickly we can do so.",
    "I pay tribute to {people} in {place}, who have kept things going against the odds.",
    "If we get {noun} right, the savings elsewhere will be considerable.",
    "Nobody in this Chamber disputes the aim; the argument is about the means.",
    "The report published in {month} found that {noun} in the poorest areas had {change}.",
    "We are spending {money} a year on {noun}, and yet {people} say it is harder than ever.",
    "Ministers must explain why {noun} in {place} still lag so far behind the national average.",
    "This is about fairness between regions as much as it is about money.",
    "I welcome the announcement, but {people} will judge it by results, not by press releases.",
    "A small change to the guidance on {noun} would make an enormous difference in practice.",
    "The Department's own data show a fall of {pct} since {year}.",
    "We listened carefully to {people}, and the new approach to {noun} reflects what they told us.",
    "When {org} looked at {noun}, it found money being spent twice over in some places and not "
    "at all in others.",
    "I am happy to meet {people} from {place} to hear about {noun} directly.",
    "The pilot in {place} has shown what is possible when {org} is given the freedom to act.",
    "That is why we are bringing forward measures on {noun} this session.",
    "The cost of doing nothing about {noun} is far higher than the cost of acting now.",
    "I hope the Minister will confirm that {noun} will be part of the spending review.",
    "We have seen {count} new {people} recruited this year, and there is more to do.",
    "I do not accept that characterisation of {noun}, although I recognise the frustration "
    "behind it.",
    "Rates of {noun} in {place} are {pct} higher than they were in {year}.",
    "Local knowledge matters: {people} know far better than Whitehall what {noun} needs.",
    "It took {duration} for {org} to reply to my letter about {noun}.",
    "The previous scheme for {noun} closed in {month}, and nothing has replaced it.",
    "If the Minister visits {place}, I will gladly show her the state of {noun} for herself.",
)
QUESTIONS = (
    "Will the Minister set out what assessment has been made of {noun} in {place}?",
    "Does the Minister agree that {noun} should be {evaluation}?",
    "When will the Government publish their plan for {noun}?",
    "What discussions has the Minister had with {org} about {noun}?",
    "Can the Minister tell the House how many {people} will benefit, and by when?",
    "Will the Minister meet me and {people} from {place} to discuss {noun}?",
    "Is it not time that {noun} was {evaluation}?",
)
LORDS_SENTENCES = (
    "I declare an interest as {interest}.",
    "The noble {peer} makes an important point about {noun}.",
    "The report from your Lordships' committee on {noun} deserves a full response.",
    "I am sure the whole House will want to thank {people} for their work on {noun}.",
    "Is the Minister aware that {noun} in {place} have {change} since {year}?",
    "My noble friend is right to raise {noun}, and I will take that point back to the department.",
)
CHAIR_LINES = (
    "Order.",
    "Order. I call {name}.",
    "Order. Members must be heard.",
    "I call the shadow Minister.",
    "Order. We must move on.",
    "I call {name}.",
    "Order. Interventions must be brief.",
    "Order. I remind Members that there is a time limit of {small} minutes on speeches.",
    "Order. The hon. Member has made his point.",
    "Questions need to be short.",
)
LORDS_CHAIR_LINES = (
    "My Lords, it is the turn of the Conservative Benches.",
    "My Lords, there is time for a brief question from the noble {peer}.",
    "My Lords, the time allowed for this Question has elapsed.",
)
INTERJECTIONS = (
    "[Interruption.]",
    "—[Interruption.]",
    "[Laughter.]",
    "[Hon. Members: “Hear, hear!”]",
    "[Hon. Members: “Answer!]",
)

# Compositional sentences: subject + verb phrase + object + modifier, sometimes two clauses
# joined; verbs are modal or past so any subject agrees.
SUBJECTS = (
    "The Government",
    "The department",
    "Every council in the region",
    "My local authority",
    "The regulator",
    "Too many families",
    "Small businesses in my area",
    "Ministers",
    "The previous Administration",
    "Local campaigners",
    "The whole sector",
    "The independent review",
    "Each of us in this House",
    "The evidence from the pilot areas",
    "Our constituents",
    "The Treasury",
    "Successive Governments",
    "The Opposition",
    "The Select Committee",
    "Local leaders",
    "The industry",
    "Providers",
    "Voluntary groups",
    "The public",
    "Officials",
)
VERBS = (
    "cannot ignore",
    "should prioritise",
    "must get a grip on",
    "failed to plan for",
    "warned us about",
    "underestimated",
    "will be judged on",
    "could do far more about",
    "raised concerns about",
    "promised to review",
    "quietly cut back",
    "invested heavily in",
    "never properly funded",
    "did not consult on",
    "would benefit from reform of",
    "must be honest about",
    "will want to see progress on",
    "cannot keep patching up",
    "should publish the figures on",
    "must listen to those who work in",
    "badly misjudged",
    "took far too long over",
    "deserve clarity about",
    "will need certainty on",
    "could learn from other countries about",
    "needed a proper strategy for",
    "lost confidence in",
    "worked hard to rescue",
    "should never have neglected",
    "might yet turn around",
    "did not anticipate the pressure on",
    "rightly questioned",
)
MODIFIERS = (
    "this winter",
    "in rural areas",
    "for the third year running",
    "despite repeated warnings",
    "without any extra funding",
    "in the north of England",
    "in towns like {place}",
    "at a time of rising costs",
    "over the coming months",
    "across the whole country",
    "before the next election",
    "in the most deprived wards",
    "on the ground",
    "in coastal communities",
    "since the pandemic",
    "after years of delay",
    "in every part of the United Kingdom",
    "for a generation",
    "within existing budgets",
    "at the earliest opportunity",
    "in {place} and beyond",
    "as a matter of urgency",
    "",
    "",
    "",
    "",
)
JOINS = (
    ", and ",
    ", but ",
    "; yet ",
    ", because ",
    ", which is why ",
    "—and ",
    ", while ",
    ", so ",
)

_SLOT = re.compile(r"\{(\w+)\}")


def _compile(templates: tuple[str, ...]) -> list[list[str]]:
    """Split templates into literal/slot parts once: even index literal, odd index slot name."""
    return [_SLOT.split(t) for t in templates]


C_SENTENCES, C_QUESTIONS = _compile(SENTENCES), _compile(QUESTIONS)
C_LORDS, C_CHAIR, C_LORDS_CHAIR = (
    _compile(LORDS_SENTENCES),
    _compile(CHAIR_LINES),
    _compile(LORDS_CHAIR_LINES),
)

# --------------------------------------------------------------------------- people


@dataclass
class Person:
    key: str  # PP's NameKey
    name: str  # as printed (may carry Sir/Dame/Dr)
    surname: str
    male: bool
    party: str
    constituency: str | None = None  # MPs
    lord: bool = False
    bishop: bool = False
    later_key: str | None = None  # an MP later ennobled: PP keys old speeches by the new title


@dataclass
class Role:
    person: Person
    office: str | None = None  # printed office, e.g. "The Minister of State, Home Office"
    chair: str | None = None  # "speaker" | "deputy" | "wh" | "lords" | "gc" | "pbc"
    short_office: str | None = None  # office-only display on later turns


@dataclass
class Debate:
    title: str
    day: date
    location: str
    dept: str
    topic: dict
    stage: str | None = None


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_line(d: date) -> str:
    return f"{WEEKDAYS[d.weekday()]} {ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}"


def list_date(d: date) -> str:
    return f"{WEEKDAYS[d.weekday()][:3]} {ordinal(d.day)} {MONTHS[d.month - 1][:3]} {d.year}"


def age_line(d: date, nbsp: bool) -> str:
    days = (CRAWL_DATE - d).days
    sp = "\u00a0" if nbsp else " "

    def unit(n: int, word: str) -> str:
        return f"{n}{sp}{word}{'s' if n != 1 else ''}"

    years, rest = divmod(days, 365)
    months, rest = divmod(rest, 30)
    weeks, rest = divmod(rest, 7)
    if years:
        parts = [unit(years, "year")] + ([unit(months, "month")] if months else [])
    elif months:
        parts = [unit(months, "month")] + ([unit(weeks, "week")] if weeks else [])
    elif weeks:
        parts = [unit(weeks, "week")] + ([unit(rest, "day")] if rest else [])
    else:
        parts = [unit(max(rest, 1), "day"), unit(14, "hour")]
    return f"({', '.join(parts)} ago)"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Generator:
    """All randomness flows from one Random(seed); people pools are small and built up front."""

    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self.mps = [self._mp(i) for i in range(650)]
        self.peers = [self._peer() for _ in range(700)]
        self.bishops = [self._bishop() for _ in range(20)]
        self.recent: list[Debate] = []  # a few debates re-used by later pages (bounded)
        self.span = (date(2012, 1, 1), date(2025, 11, 20))  # sitting dates drawn from here
        self.ordered = False  # True: dates follow `progress` through the span (a backfill)
        self.progress = 0.0  # share of the corpus written so far
        self.used_urls: set[str] = set()
        self.words_hist = [0] * (MAX_WORDS + 1)
        self.speeches = 0
        self.slots: dict[str, Callable[[], str]] = {
            "place": self.place,
            "people": lambda: self.rng.choice(self.topic["people"]),
            "noun": lambda: self.rng.choice(self.topic["nouns"]),
            "change": lambda: self.rng.choice(CHANGES),
            "period": lambda: self.rng.choice(PERIODS),
            "pct": lambda: f"{self.rng.randint(3, 74)}%",
            "duration": lambda: self.rng.choice(DURATIONS),
            "money": self.money,
            "small": lambda: str(self.rng.randint(2, 6)),
            "org": lambda: self.rng.choice(ORGS),
            "Org": lambda: self._cap(self.rng.choice(ORGS)),
            "adverb": lambda: self.rng.choice(ADVERBS),
            "Adverb_cap": lambda: self._cap(self.rng.choice(ADVERBS)),
            "hardship": lambda: self.rng.choice(HARDSHIPS),
            "gov_action": lambda: self.rng.choice(GOV_ACTIONS),
            "gov_future": lambda: self.rng.choice(GOV_FUTURE),
            "year": lambda: str(self.rng.randint(2008, 2023)),
            "moved": lambda: self.rng.choice(("fallen", "risen", "grown", "been cut")),
            "job": lambda: self.rng.choice(JOBS),
            "count": lambda: f"{self.rng.choice((12, 40, 85, 150, 320, 1200, 4500, 17000)):,}",
            "month": lambda: self.rng.choice(MONTHS),
            "evaluation": lambda: self.rng.choice(EVALUATIONS),
            "interest": lambda: self.rng.choice(INTERESTS),
            "peer": lambda: self.rng.choice(("Lord", "Baroness", "Earl", "Lady")),
            "name": lambda: self.cur_name,
        }
        self.topic: dict = TOPICS[0]
        self.cur_name = ""

    # ---- pools

    @staticmethod
    def _cap(text: str) -> str:
        return text[:1].upper() + text[1:]

    def place(self) -> str:
        r = self.rng
        base = r.choice(PLACE_HEAD) + r.choice(PLACE_TAIL)
        roll = r.random()
        if roll < 0.15:
            return f"{r.choice(PLACE_QUAL)} {base}"
        if roll < 0.25:
            return f"{base} {r.choice(PLACE_SUFFIX)}"
        return base

    def constituency(self) -> str:
        r, roll = self.rng, self.rng.random()
        if roll < 0.2:  # "A, B and C": commas inside a constituency
            return f"{self.place()}, {self.place()} and {self.place()}"
        if roll < 0.45:
            return f"{self.place()} and {self.place()}"
        if roll < 0.6:
            return f"{self.place()} {r.choice(('North', 'South', 'East', 'West', 'Central'))}"
        return self.place()

    def _weighted(self, table: tuple[tuple[str, int], ...]) -> str:
        return self.rng.choices([p for p, _ in table], [w for _, w in table])[0]

    def _mp(self, i: int) -> Person:
        r = self.rng
        male = r.random() < 0.55
        first, surname = r.choice(FIRST_M if male else FIRST_F), r.choice(SURNAMES)
        key = f"{first} {surname}"
        honour = r.random()
        name = (
            f"{'Sir' if male else 'Dame'} {key}"
            if honour < 0.05
            else f"Dr {key}"
            if honour < 0.09
            else f"Mr {key}"
            if male and honour < 0.14
            else key
        )
        p = Person(key, name, surname, male, self._weighted(PARTIES_COMMONS), self.constituency())
        if r.random() < 0.03:
            p.later_key = f"Lord {surname}"
        return p

    def _peer(self) -> Person:
        r = self.rng
        male = r.random() < 0.6
        surname = r.choice(SURNAMES)
        title = "Lord" if male else "Baroness"
        key = f"{title} {surname}" + (f" of {self.place()}" if r.random() < 0.55 else "")
        return Person(key, key, surname, male, self._weighted(PARTIES_LORDS), lord=True)

    def _bishop(self) -> Person:
        see = self.place()
        return Person(
            f"Bishop of {see}",
            f"The Lord Bishop of {see}",
            see,
            True,
            "Bishops",
            lord=True,
            bishop=True,
        )

    # ---- text

    def fill(self, parts: list[str]) -> str:
        out = []
        slots = self.slots
        for i, part in enumerate(parts):
            out.append(slots[part]() if i % 2 else part)
        return "".join(out)

    def clause(self) -> str:
        r = self.rng
        mod = r.choice(MODIFIERS)
        if "{" in mod:
            mod = mod.replace("{place}", self.place())
        text = f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(self.topic['nouns'])}"
        return f"{text} {mod}" if mod else text

    def composed(self) -> str:
        first = self.clause()
        if self.rng.random() < 0.45:
            second = self.clause()
            if not second.startswith(
                ("The Government", "The Treasury", "The Opposition", "The Select", "Ministers")
            ):
                second = second[0].lower() + second[1:]
            first += self.rng.choice(JOINS) + second
        return first + "."

    def money(self) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.5:
            return f"£{r.randint(2, 950)} million"
        if roll < 0.75:
            return f"£{r.randint(1, 40)}.{r.randint(1, 9)} billion"
        return f"£{r.randint(2, 900) * 1000:,}"

    def speech_words(self, scale: float) -> int:
        n = int(self.rng.lognormvariate(math.log(MEDIAN_WORDS * scale), WORDS_SIGMA))
        return max(4, min(MAX_WORDS, n))

    def sentence(self, lords: bool, opens_speech: bool) -> str:
        r = self.rng
        roll = r.random()
        if lords and roll < 0.08:
            s = self.fill(r.choice(C_LORDS))
        elif roll < 0.16:
            s = self.fill(r.choice(C_QUESTIONS))
        elif roll < 0.55:
            s = self.composed()
        else:
            s = self.fill(r.choice(C_SENTENCES))
        if r.random() < 0.02:
            s = s[:-1] + " " + r.choice(INTERJECTIONS)
        if opens_speech and lords and r.random() < 0.8:
            s = "My Lords, " + (s if s.startswith(("I ", "Is ")) else s[0].lower() + s[1:])
        return s

    def quotation(self) -> str:
        """A quotation paragraph, sometimes with a citation; sometimes two empty lines after."""
        r = self.rng
        quote = "“" + self.fill(r.choice(C_SENTENCES)) + " " + self.fill(r.choice(C_SENTENCES))[:-1]
        if r.random() < 0.3:
            quote += (
                f"”—[Official Report, {r.randint(1, 28)} "
                f"{r.choice(MONTHS)} {r.randint(2012, 2024)}; Vol. "
                f"{r.randint(600, 780)}, c. {r.randint(10, 990)}.]"
            )
        else:
            quote += r.choice(("”.", "”—", "”."))
        if r.random() < 0.4:
            quote += "\n"  # written as a paragraph: two empty lines follow
        return quote

    def paragraphs(self, words: int, lords: bool, opener: str | None = None) -> list[str]:
        """Sentences until `words`, grouped into paragraphs of lognormal length (~55 words)."""
        r = self.rng
        paras: list[str] = []
        cur: list[str] = []
        para_target = max(12, int(r.lognormvariate(math.log(55), 0.55)))
        cur_words = total = 0
        if opener:
            cur.append(opener)
            cur_words = total = len(opener.split())
        quote_next = False
        while total < words:
            s = self.sentence(lords, not cur and not paras)
            cur.append(s)
            n = s.count(" ") + 1
            cur_words += n
            total += n
            if cur_words < para_target and total < words:
                continue
            paras.append(" ".join(cur))
            cur, cur_words = [], 0
            para_target = max(12, int(r.lognormvariate(math.log(55), 0.55)))
            if quote_next:
                paras.append(self.quotation())
                quote_next = False
            elif total < words and r.random() < 0.04:
                paras[-1] = paras[-1][:-1] + ", which put it this way:"
                quote_next = True
        if cur:  # an opener longer than the whole speech
            paras.append(" ".join(cur))
        if r.random() < 0.02 and not paras[-1].endswith("\n"):
            paras[-1] = paras[-1].rstrip(".?!”") + "—"  # interrupted in the record
        return paras

    # ---- debates and pages

    def new_debate(self, location: str) -> Debate:
        r = self.rng
        if self.recent and r.random() < 0.08:
            old = r.choice(self.recent)
            if old.location == location:
                return old
        topic = r.choice(TOPICS)
        title = r.choice(topic["titles"])
        if r.random() < 0.3:
            title = f"{title}: {self.place()}" if ":" not in title else title
        lo, hi = self.span
        if self.ordered:  # within a month of the point the corpus has reached
            centre = lo + timedelta(days=int((hi - lo).days * self.progress))
            day = min(hi, max(lo, centre + timedelta(days=r.randint(-30, 30))))
        else:
            day = lo + timedelta(days=r.randint(0, (hi - lo).days))
        if day.month == 8:  # summer recess
            day += timedelta(days=31)
        while day.weekday() > (4 if r.random() < 0.15 else 3):  # mostly Mon-Thu, some Fri
            day -= timedelta(days=1)
        stage = None
        if location == "Public Bill Committees":
            title = title.split(":")[0] + " Bill"
            stage = (
                f"Committee stage & Committee Debate: {ordinal(r.randint(1, 14))} sitting: "
                "House of Commons"
            )
        d = Debate(title, day, location, DEPARTMENTS[topic["dept"]], topic, stage)
        self.recent.append(d)
        if len(self.recent) > 200:
            self.recent.pop(0)
        return d

    def cast(self, debate: Debate, member: Person) -> tuple[list[Role], Role, Role | None]:
        """Speakers for one debate: (ordinary speakers incl. member, minister, chair)."""
        r = self.rng
        lords = debate.location in ("Lords Chamber", "Grand Committee")
        dept = debate.dept
        if lords:
            pool = r.sample(self.peers, r.randint(4, 18))
            if r.random() < 0.3:
                pool.append(r.choice(self.bishops))
            mperson = r.choice(self.peers)
            office = r.choice(
                (
                    f"The Minister of State, {dept}",
                    f"The Parliamentary Under-Secretary of State, {dept}",
                )
            )
            minister = Role(mperson, office)
            chair_person = r.choice(self.peers)
            if debate.location == "Grand Committee":
                chair = Role(chair_person, "The Deputy Chairman of Committees", "gc")
            else:
                chair = Role(
                    chair_person, r.choice(("The Lord Speaker", "The Deputy Speaker")), "lords"
                )
        else:
            pool = r.sample(self.mps, r.randint(4, 28))
            mperson = r.choice(self.mps)
            stem = dept.replace("Department for ", "").replace("Department of ", "")
            office = r.choice(
                (
                    f"The Minister of State, {dept}",
                    f"The Parliamentary Under-Secretary of State for {stem}",
                    f"The Minister for {r.choice(PORTFOLIOS[debate.topic['dept']])}",
                    f"The Secretary of State for {stem}",
                )
            )
            minister = Role(mperson, office, short_office=r.choice((None, None, "The Minister")))
            chair_person = r.choice(self.mps)
            if debate.location == "Westminster Hall":
                chair = Role(chair_person, "in the Chair", "wh")
            elif debate.location == "Public Bill Committees":
                chair = Role(chair_person, "The Chair", "pbc")
            elif r.random() < 0.4:
                chair = Role(
                    chair_person, "Mr Speaker" if chair_person.male else "Madam Speaker", "speaker"
                )
            else:
                chair = Role(
                    chair_person,
                    "Mr Deputy Speaker" if chair_person.male else "Madam Deputy Speaker",
                    "deputy",
                )
        roles = [Role(p) for p in pool if p is not member]
        return [Role(member), *roles], minister, chair

    def display(self, role: Role, first: bool, debate: Debate) -> tuple[str, str]:
        """(NameKey, Display) for a turn; first = first contribution in this block."""
        p, r = role.person, self.rng
        key = p.later_key if p.later_key and debate.day.year < 2019 else p.key
        if p.lord:
            party = f" ({p.party})" if not p.bishop and (first or r.random() < 0.6) else ""
            if role.chair:
                return key, f"{role.office} ({p.name}){party}" if first else f"{p.name}{party}"
            if role.office:
                return key, f"{role.office} ({p.name}){party}" if first else f"{p.name}{party}"
            return key, f"{p.name}{party}"
        if role.chair == "wh":
            return key, f"{p.name} (in the Chair)"
        if role.chair == "pbc":
            return key, "The Chair" if not first else f"The Chair ({p.name})"
        if role.chair in ("speaker", "deputy"):
            if role.chair == "deputy" and first:
                return key, f"{role.office} ({p.name})"
            return key, role.office or ""
        if role.office:
            if first:
                return key, f"{role.office} ({p.name})"
            return key, role.short_office or p.name
        if first:
            virtual = (
                " [V]"
                if date(2020, 4, 21) <= debate.day <= date(2021, 7, 22) and (r.random() < 0.35)
                else ""
            )
            return key, f"{p.name} ({p.constituency}) ({p.party}){virtual}"
        if r.random() < 0.12:
            return key, f"{'Mr' if p.male else r.choice(('Mrs', 'Ms'))} {p.surname}"
        return key, p.name

    def marker(self, is_member: bool, debate: Debate) -> str:
        video = self.rng.random() < (0.75 if debate.day.year >= 2021 else 0.05)
        return ("- View Speech - " if video else "- ") + (
            "Hansard - -" if is_member else "Hansard - - - Excerpts"
        )


class PageWriter:
    """Writes one page to an open binary file, counting bytes; nothing is kept."""

    def __init__(self, f) -> None:  # noqa: ANN001
        self.f = f
        self.bytes = 0

    def w(self, text: str) -> None:
        data = text.encode("utf-8")
        self.f.write(data)
        self.bytes += len(data)


NAV_LINES = (
    "Read Full debate Read Hansard Text Read Debate Ministerial Extracts",
    "Read Full debate Read Hansard Text Watch Debate Read Debate Ministerial Extracts",
    "Read Full debate Read Hansard Text",
)
LOCATIONS = (
    ("Commons Chamber", 50),
    ("Lords Chamber", 24),
    ("Westminster Hall", 14),
    ("Grand Committee", 7),
    ("Public Bill Committees", 5),
)
HOUSE_SLUG = {
    "Commons Chamber": "commons",
    "Westminster Hall": "commons",
    "Public Bill Committees": "commons",
    "Lords Chamber": "lords",
    "Grand Committee": "lords",
}


@dataclass
class PageStats:
    files: int = 0
    bytes: int = 0
    blocks: int = 0
    speeches: int = 0
    collective: int = 0
    later: int = 0
    truncated_pages: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


class Corpus:
    def __init__(self, seed: int) -> None:
        self.g = Generator(seed)
        self.stats = PageStats()

    # ---- block parts

    def block_header(
        self,
        pw: PageWriter,
        debate: Debate,
        member: Person,
        titled: bool,
        nbsp: bool,
        bare_lords: bool,
    ) -> None:
        r = self.g.rng
        if debate.stage and not titled:
            pw.w(f"{debate.stage}\n")  # PBC: the stage line replaces title / Excerpts
        else:
            if titled:
                pw.w(f"{debate.title}\n\n")
            pw.w(f"{member.key} Excerpts\n")
        if bare_lords:  # Lords pages with no date, age, location or nav line
            return
        pw.w(f"{date_line(debate.day)}\n\n{age_line(debate.day, nbsp)}\n\n{debate.location}\n")
        if debate.stage:
            act = debate.title
            pw.w(
                f"Read Full debate {act} View all {act} Debates Read Hansard Text Read Debate "
                f"Ministerial Extracts Amendment Paper: Consolidated Amendment Paper as at "
                f"{debate.day.day} {MONTHS[debate.day.month - 1][:3]} {debate.day.year} - "
                f"({debate.day.day} {MONTHS[debate.day.month - 1][:3]} {debate.day.year})\n"
            )
        else:
            nav = (
                NAV_LINES[1]
                if debate.day.year >= 2021 and r.random() < 0.7
                else (NAV_LINES[0] if r.random() < 0.95 else NAV_LINES[2])
            )
            pw.w(nav + "\n")

    def turns(self, pw: PageWriter, debate: Debate, member: Person, budget: int) -> None:
        """Speaker blocks until the page's byte budget for this debate block is used."""
        g, r = self.g, self.g.rng
        g.topic = debate.topic
        lords = debate.location in ("Lords Chamber", "Grand Committee")
        speakers, minister, chair = g.cast(debate, member)
        seen: set[str] = set()
        start = pw.bytes
        prev: Role | None = None
        n = 0
        while pw.bytes - start < budget:
            roll = r.random()
            if n == 0:
                role = speakers[0] if r.random() < 0.6 else r.choice(speakers)
            elif chair and roll < 0.07 and prev is not chair:
                role = chair
            elif roll < 0.30 and prev is not minister:
                role = minister
            elif roll < 0.42:
                role = speakers[0]
            else:
                role = r.choice(speakers)
            if n > 0 and roll > 0.985 and chair and not lords:  # several hon. Members rose
                pw.w("None Portrait Several hon. Members rose—\n- Hansard -\n\n")
                self.stats.collective += 1
                role = chair
            if n > 0 and r.random() < 0.025:
                pw.w("--- Later in debate ---\n")
                self.stats.later += 1
            ident = role.person.key
            key, disp = g.display(role, ident not in seen, debate)
            seen.add(ident)
            pw.w(f"{key} Portrait {disp}\n{g.marker(role.person is member, debate)}\n\n")
            paras = self.body(role, minister, chair, debate, lords, n, speakers)
            for p in paras:
                pw.w(p + "\n\n")
            self.stats.speeches += 1
            prev, n = role, n + 1

    def body(
        self,
        role: Role,
        minister: Role,
        chair: Role | None,
        debate: Debate,
        lords: bool,
        n: int,
        speakers: list[Role],
    ) -> list[str]:
        g, r = self.g, self.g.rng
        if role is chair:
            g.cur_name = r.choice(speakers).person.name
            line = g.fill(r.choice(C_LORDS_CHAIR if lords else C_CHAIR))
            g.words_hist[min(MAX_WORDS, line.count(" ") + 1)] += 1
            return [line]
        opener = None
        scale = 1.0
        if n == 0:
            kind = r.random()
            if lords and kind < 0.4:
                aim = r.choice(debate.topic["aims"])
                opener = f"To ask His Majesty’s Government what steps they are taking to {aim}."
                words = len(opener.split())
                g.words_hist[words] += 1
                return [opener]
            if not lords and kind < 0.25:
                aim = r.choice(debate.topic["aims"])
                who = r.choice(("his", "her")) + " Department"
                q = f"{r.randint(1, 20)}. What steps {who} is taking to {aim}."
                g.words_hist[len(q.split())] += 1
                return [q]
            if not lords and kind < 0.5:
                paras = [
                    "I beg to move,",
                    f"That this House has considered {debate.title.split(':')[0].lower()}.",
                ]
                words = g.speech_words(2.5)
                paras += g.paragraphs(words, lords)
                g.words_hist[min(MAX_WORDS, words)] += 1
                return paras
            scale = 2.0
        elif role is minister:
            scale = 1.6
            if not lords and r.random() < 0.5:
                other = r.choice(speakers).person
                why = r.choice(
                    ("raising this", "his question", "her question", "securing this debate")
                )
                opener = f"I thank the hon. Member for {other.constituency} for {why}."
        elif r.random() < 0.35:
            scale = 0.45  # an intervention
        words = g.speech_words(scale)
        if r.random() < 0.015:
            short = r.choice(
                (
                    "Of course.",
                    "From memory, no.",
                    "Yes.",
                    "I will give way.",
                    "Not at all.",
                    "First—",
                )
            )
            g.words_hist[len(short.split())] += 1
            return [short]
        g.words_hist[words] += 1
        return g.paragraphs(words, lords, opener)

    # ---- page

    def page(self, f, target: int, index: int) -> tuple[int, str]:  # noqa: ANN001
        """Write one page of about `target` bytes; returns (bytes, kind)."""
        g, r = self.g, self.g.rng
        pw = PageWriter(f)
        location = g._weighted(LOCATIONS)
        lords = location in ("Lords Chamber", "Grand Committee")
        member = r.choice(g.peers if lords else g.mps)
        nbsp = r.random() < 0.15
        roll = r.random()
        kind = (
            "multi"
            if roll < 0.22 and location != "Public Bill Committees"
            else "header"
            if roll < 0.55
            else "bare"
        )
        bare_lords = lords and kind == "bare" and r.random() < 0.15
        debates = [g.new_debate(location)]
        if kind == "multi":
            same_house = (
                (("Lords Chamber", 75), ("Grand Committee", 25))
                if lords
                else (("Commons Chamber", 75), ("Westminster Hall", 25))
            )
            for _ in range(r.choice((1, 1, 2))):
                debates.append(g.new_debate(g._weighted(same_house)))
        url = None
        if r.random() < 0.25 or bare_lords:
            d = debates[0]
            who = slug(member.key)
            if kind == "multi":
                ds = DEPT_SLUG.get(d.dept, slug(d.dept))
                url = (
                    f"https://www.parallelparliament.co.uk/{'lord' if lords else 'mp'}/{who}"
                    f"/dept-debates/{ds}?page={r.randint(1, 40)}"
                )
            else:
                url = (
                    f"https://www.parallelparliament.co.uk/{'lord' if lords else 'mp'}/{who}"
                    f"/debate/{d.day.isoformat()}/{HOUSE_SLUG[d.location]}/"
                    f"{slug(d.location)}/{slug(d.title)}"
                )
            if url in g.used_urls:
                url = None if not bare_lords else url + f"-{index}"
            if url:
                g.used_urls.add(url)
                pw.w(f"URL: {url}\n\n")
        if bare_lords and not url:
            bare_lords = False
        if kind == "header":
            d = debates[0]
            pw.w(f"{d.title} Debate\n\nFull Debate: Read Full Debate\nDepartment: {d.dept}\n\n")
        elif kind == "multi" and r.random() < 0.6:
            self.listing(pw, debates, member)
        budget = target // len(debates)
        for i, d in enumerate(debates):
            titled = not (d.stage and kind != "multi" and r.random() < 0.8)
            self.block_header(pw, d, member, titled, nbsp, bare_lords and i == 0)
            self.turns(pw, d, member, budget)
            self.stats.blocks += 1
        self.finish(pw, f)
        self.stats.kinds[kind] = self.stats.kinds.get(kind, 0) + 1
        return pw.bytes, kind

    def listing(self, pw: PageWriter, debates: list[Debate], member: Person) -> None:
        r = self.g.rng
        dept = debates[0].dept
        if r.random() < 0.7:
            pw.w(f"{r.randint(12, 420)} {member.key} debates involving the {dept}\n\n")
        else:
            pw.w(f"{member.key} debates involving the {dept} during the 2024-2029 Parliament\n\n")
        for d in debates:
            pw.w(f"{list_date(d.day)}\n{d.title}\n{d.location}\n")
            roll = r.random()
            if roll < 0.3:
                pw.w(
                    "\n2nd reading & 2nd reading: House of Commons & Money resolution: House of "
                    "Commons\n"
                )
            elif roll < 0.5 and d.location == "Westminster Hall":
                pw.w("(Adjournment Debate)\n")
        pw.w("\n")

    def finish(self, pw: PageWriter, f) -> None:  # noqa: ANN001
        """Pages end "...\n\n" so far: trim to one final newline, or none, or cut mid-word."""
        r = self.g.rng
        f.seek(-2, 1)
        f.truncate()
        pw.bytes -= 2
        roll = r.random()
        if roll < 0.03:  # an excerpt cut mid-paragraph
            cut = r.randint(5, 40)
            f.seek(-cut, 1)
            tail = f.read(cut)
            keep = tail.decode("utf-8", "ignore")[: cut // 2].encode()
            f.seek(-cut, 1)
            f.write(keep)
            f.truncate()
            pw.bytes += len(keep) - cut
            self.stats.truncated_pages += 1
        elif roll < 0.15:
            pass  # no final newline (as on the real seed page)
        else:
            pw.w("\n")


def page_targets(rng: Random):  # noqa: ANN201
    while True:
        yield int(min(MAX_PAGE, max(MIN_PAGE, rng.lognormvariate(math.log(MEDIAN_PAGE), 0.6))))


def generate(  # noqa: PLR0913
    out: Path,
    mb: float,
    seed: int,
    quiet: bool = False,
    *,
    contributions: int | None = None,
    years: tuple[int, int] | None = None,
    ordered: bool = False,
) -> dict:
    """Write pages until `mb` megabytes, or `contributions` speaker blocks when given. `years`
    (first, last) sets the span of sitting dates; `ordered` makes dates advance through it
    page by page, as a backfill crawled in date order would (files in name order = date
    order), so each slice of the corpus touches only a few (house, year) partitions."""
    out.mkdir(parents=True, exist_ok=True)
    total_target = int(mb * MB) if contributions is None else 1 << 62
    corpus = Corpus(seed)
    if years:
        corpus.g.span = (date(years[0], 1, 1), date(years[1], 11, 20))
    corpus.g.ordered = ordered
    sizes = page_targets(Random(seed * 7919 + 1))
    t0 = time.perf_counter()
    total = 0
    index = 0

    def blocks() -> int:
        return corpus.stats.speeches + corpus.stats.collective

    while total < total_target and (contributions is None or blocks() < contributions):
        corpus.g.progress = (
            total / total_target if contributions is None else blocks() / contributions
        )
        target = next(sizes)
        remaining = total_target - total
        if remaining < target:  # last page: do not overshoot by much
            target = max(MIN_PAGE, remaining)
        name = out / f"page-{index:07d}.txt"
        with name.open("w+b") as f:
            written, _ = corpus.page(f, target, index)
        total += written
        index += 1
        if not quiet and index % 2000 == 0:
            print(f"  {index} pages, {total / MB:.1f} MB, {blocks():,} blocks", file=sys.stderr)
    s, g = corpus.stats, corpus.g
    s.files, s.bytes = index, total
    hist, n = g.words_hist, sum(g.words_hist)
    acc, median, p99 = 0, None, None
    for words, c in enumerate(hist):
        acc += c
        if median is None and acc >= n / 2:
            median = words
        if p99 is None and acc >= n * 0.99:
            p99 = words
    meta = {
        "generator": "bench/generate_text.py",
        "seed": seed,
        "mb_target": mb,
        "contributions_target": contributions,
        "years": [corpus.g.span[0].year, corpus.g.span[1].year],
        "ordered": ordered,
        "files": s.files,
        "bytes": s.bytes,
        "debate_blocks": s.blocks,
        "speaker_blocks": s.speeches + s.collective,
        "collective_blocks": s.collective,
        "later_in_debate": s.later,
        "truncated_pages": s.truncated_pages,
        "page_kinds": s.kinds,
        "speech_words": {
            "median": median,
            "p99": p99,
            "max": max(i for i, c in enumerate(hist) if c),
        },
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "GENERATED.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--mb", type=float, default=100.0, help="total size to write (1 MB = 1e6 B)")
    ap.add_argument("--contributions", type=int, help="stop at this many speaker blocks instead")
    ap.add_argument("--years", help="span of sitting dates, FIRST-LAST (default 2012-2025)")
    ap.add_argument("--ordered", action="store_true", help="dates advance page by page")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    years = tuple(int(y) for y in args.years.split("-")) if args.years else None
    meta = generate(
        args.out_dir,
        args.mb,
        args.seed,
        args.quiet,
        contributions=args.contributions,
        years=years,  # type: ignore[arg-type]
        ordered=args.ordered,
    )
    print(json.dumps(meta, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
