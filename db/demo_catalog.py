"""Names for the demo data: a Philippine office coordinating with ministries, agencies and
offices (MAOs) for Bangsamoro communities outside the autonomous region.

Plain data, no I/O. ``db/seed.py`` combines these into rows; when the seed is
scaled up (``--scale N``), copies beyond the first get a roman-numeral suffix
("Cluster II") so natural keys stay unique without placeholder names.
"""
from __future__ import annotations

from db.enums import ResourceKind, Role

OFFICE = "Office for Other Bangsamoro Communities"

DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin@almanac.local", "Amina Dimaporo", Role.ADMIN),
    ("manager@almanac.local", "Rashid Mangudadatu", Role.MANAGER),
    ("staff@almanac.local", "Norhata Ampatuan", Role.STAFF),
    ("viewer@almanac.local", "Jamal Sinsuat", Role.VIEWER),
)

GIVEN_NAMES = ("Abdul", "Aisah", "Bai", "Farida", "Hadji", "Ismael", "Jalilah", "Kamar", "Lailani",
               "Mohammad", "Nasrullah", "Omar", "Potri", "Saidamen", "Tarhata", "Usman", "Yasmin",
               "Zainab", "Datu", "Rohaima")
FAMILY_NAMES = ("Abdullah", "Balindong", "Candao", "Dilangalen", "Guiani", "Hataman", "Lucman",
                "Macarambon", "Pangandaman", "Tomawis")

# (team name, what it does): the office's divisions and the MAOs it coordinates with.
TEAMS: tuple[tuple[str, str], ...] = (
    ("Planning and Policy Division", "Plans, policy research and the annual investment programme"),
    ("Community Affairs Division", "Field coordination with barangays and community leaders"),
    ("Monitoring and Evaluation Unit", "Tracks PPAs against targets; runs the MANA cycle"),
    ("Finance and Budget Section", "Budget preparation, hearings and disbursement"),
    ("Ministry of Social Services and Development desk", "Social protection and relief operations"),
    ("Ministry of Health desk", "Rural health units, immunisation drives, medical missions"),
    ("Ministry of Basic, Higher and Technical Education desk", "Madaris, classrooms, scholarships"),
    ("Ministry of Agriculture, Fisheries and Agrarian Reform desk", "Livelihood, farm inputs, fisheries"),
    ("Ministry of Public Works desk", "Roads, water systems and community infrastructure"),
    ("Ministry of Trade, Investments and Tourism desk", "Enterprise development and market access"),
)

# (barangay, municipality or city, province, region, population, latitude, longitude)
COMMUNITIES: tuple[tuple[str, str, str, str, int, float, float], ...] = (
    ("Rio Hondo", "Zamboanga City", "Zamboanga del Sur", "Region IX", 11_540, 6.9103, 122.0870),
    ("Taluksangay", "Zamboanga City", "Zamboanga del Sur", "Region IX", 7_210, 6.9794, 122.1806),
    ("Campo Islam", "Zamboanga City", "Zamboanga del Sur", "Region IX", 9_860, 6.9151, 122.0569),
    ("Mampang", "Zamboanga City", "Zamboanga del Sur", "Region IX", 14_320, 6.9325, 122.1406),
    ("Sanito", "Ipil", "Zamboanga Sibugay", "Region IX", 6_450, 7.7820, 122.5870),
    ("Poblacion", "Titay", "Zamboanga Sibugay", "Region IX", 5_980, 7.8370, 122.5570),
    ("Sandor", "Baloi", "Lanao del Norte", "Region X", 3_120, 8.1090, 124.2450),
    ("Tambo", "Munai", "Lanao del Norte", "Region X", 2_760, 7.9760, 124.0580),
    ("Berwar", "Tangcal", "Lanao del Norte", "Region X", 1_940, 7.9910, 123.9530),
    ("Paril", "Kalamansig", "Sultan Kudarat", "Region XII", 2_880, 6.5650, 124.0470),
    ("Kalamongog", "Lebak", "Sultan Kudarat", "Region XII", 4_110, 6.5320, 124.0580),
    ("Baliango", "Palimbang", "Sultan Kudarat", "Region XII", 3_430, 6.2140, 124.1920),
    ("Kiambing", "Maitum", "Sarangani", "Region XII", 2_390, 6.0390, 124.4980),
    ("Kayasan", "Kiamba", "Sarangani", "Region XII", 2_150, 5.9890, 124.6230),
    ("Ma-a", "Davao City", "Davao del Sur", "Region XI", 12_870, 7.0890, 125.5810),
    ("Tubalan", "Malita", "Davao Occidental", "Region XI", 4_560, 6.4100, 125.6130),
    ("Rio Tuba", "Bataraza", "Palawan", "Region IV-B", 22_150, 8.5080, 117.4330),
    ("Poblacion", "Balabac", "Palawan", "Region IV-B", 6_030, 7.9860, 117.0620),
    ("Mainit", "Brooke's Point", "Palawan", "Region IV-B", 5_320, 8.7830, 117.8310),
    ("Maasin", "Zamboanga City", "Zamboanga del Sur", "Region IX", 4_870, 7.0450, 122.0250),
)

# (category, need title, PPA title that answers it, category of the PPA)
NEED_THEMES: tuple[tuple[str, str, str], ...] = (
    ("WASH", "No safe drinking water within 500 m", "Level II water system"),
    ("Infrastructure", "Farm-to-market road impassable in the rainy season", "Farm-to-market road concreting"),
    ("Education", "Madrasah classes held in a makeshift shed", "Madrasah classroom construction"),
    ("Health", "No barangay health station; nearest clinic 12 km away", "Barangay health station"),
    ("Livelihood", "Seaweed farmers lack drying facilities", "Seaweed drying and storage facility"),
    ("Livelihood", "Women's cooperative without start-up capital", "Women's cooperative enterprise grant"),
    ("Health", "Low immunisation coverage among under-fives", "Immunisation and nutrition drive"),
    ("Education", "Out-of-school youth without technical skills", "Technical-vocational scholarship"),
    ("Infrastructure", "Frequent flooding of the lower purok", "Drainage and slope protection"),
    ("WASH", "Households without sanitary toilets", "Sanitary toilet facilities"),
)

# Tasks of a PPA, in the order they are done (phase, title).
PPA_CHECKLIST: tuple[tuple[str, str], ...] = (
    ("Need identification", "Validate the need with the barangay council"),
    ("Need identification", "Consult community leaders and the ulama"),
    ("Planning", "Draft the project brief"),
    ("Planning", "Site visit and photo documentation"),
    ("Planning", "Prepare the cost estimate"),
    ("Proposal", "Write the project proposal"),
    ("Proposal", "Secure the barangay resolution of support"),
    ("Proposal", "Technical review by the partner ministry"),
    ("Budget", "Prepare the budget proposal forms"),
    ("Budget", "Present at the budget hearing"),
    ("Budget", "Answer the budget committee's questions"),
    ("Procurement", "Prepare the purchase request"),
    ("Procurement", "Post the invitation to bid"),
    ("Procurement", "Bid opening and evaluation"),
    ("Procurement", "Issue the notice to proceed"),
    ("Implementation", "Mobilise the contractor"),
    ("Implementation", "Community orientation on the project"),
    ("Implementation", "Weekly progress inspection"),
    ("Implementation", "Release the second tranche"),
    ("Implementation", "Mid-term progress report"),
    ("Implementation", "Final inspection with the barangay"),
    ("Monitoring", "Monitoring visit with the MAO focal person"),
    ("Monitoring", "Collect beneficiary feedback"),
    ("Evaluation", "Evaluation workshop"),
    ("Evaluation", "Write the completion report"),
    ("Evaluation", "Turn-over ceremony"),
)

# Recurring office work not tied to a PPA (domain name, title).
OFFICE_TASKS: tuple[tuple[str, str], ...] = (
    ("COORDINATION", "Prepare the agenda for the MAO coordination meeting"),
    ("COORDINATION", "Send minutes of the coordination meeting"),
    ("MANA", "Encode survey forms from the field"),
    ("MANA", "Clean and tabulate needs-assessment data"),
    ("POLICY", "Review the draft policy brief"),
    ("COMMUNITY", "Follow up the barangay's request letter"),
    ("COMMUNITY", "Prepare the community assembly attendance sheet"),
    ("GENERAL", "Liquidate the travel cash advance"),
    ("GENERAL", "Submit the monthly accomplishment report"),
    ("PROJECTS", "Update the PPA tracker"),
)

# (name, kind, capacity, requires approval, buffer minutes after)
RESOURCES: tuple[tuple[str, ResourceKind, int | None, bool, int], ...] = (
    ("Toyota Hilux (SJA 4821)", ResourceKind.VEHICLE, 5, True, 30),
    ("Toyota HiAce van (SKB 7340)", ResourceKind.VEHICLE, 14, True, 30),
    ("Mitsubishi Strada (SJN 1198)", ResourceKind.VEHICLE, 5, True, 30),
    ("Isuzu Traviz (SLA 2207)", ResourceKind.VEHICLE, 3, True, 30),
    ("Pump boat Salam", ResourceKind.VEHICLE, 10, True, 60),
    ("Conference Room A", ResourceKind.ROOM, 30, False, 0),
    ("Conference Room B", ResourceKind.ROOM, 16, False, 0),
    ("Training Hall", ResourceKind.ROOM, 80, True, 30),
    ("Director's Meeting Room", ResourceKind.ROOM, 10, False, 0),
    ("Prayer and multi-purpose room", ResourceKind.ROOM, 40, False, 0),
    ("LCD projector 1", ResourceKind.EQUIPMENT, None, False, 0),
    ("LCD projector 2", ResourceKind.EQUIPMENT, None, False, 0),
    ("Portable sound system", ResourceKind.EQUIPMENT, None, False, 0),
    ("Drone for site documentation", ResourceKind.EQUIPMENT, None, True, 0),
    ("Laptop pool (5 units)", ResourceKind.EQUIPMENT, None, False, 0),
    ("Satellite phone", ResourceKind.EQUIPMENT, None, True, 0),
    ("Generator set 5 kVA", ResourceKind.EQUIPMENT, None, True, 0),
    ("Tablets for survey (10 units)", ResourceKind.EQUIPMENT, None, False, 0),
    ("Toyota Innova (SKC 5563)", ResourceKind.VEHICLE, 7, True, 30),
    ("Video conference kit", ResourceKind.EQUIPMENT, None, False, 0),
)

BOOKING_PURPOSES = ("Field visit", "Site inspection", "Community consultation", "Coordination meeting",
                    "MANA data collection", "Training", "Budget hearing", "Monitoring visit")

POLICIES: tuple[str, ...] = (
    "Guidelines on community consultation before any PPA",
    "Policy on gender and development in PPA design",
    "Travel and field safety protocol",
    "Data privacy rules for needs-assessment surveys",
    "Guidelines on the quarterly coordination meeting with MAOs",
)

ROMAN = ("", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X")


def copy_suffix(copy: int) -> str:
    """'' for the first copy of the data set, ' II', ' III', ... for the scaled-up ones."""
    return ROMAN[copy] if copy < len(ROMAN) else f" {copy + 1}"
