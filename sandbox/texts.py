"""German texts for the demo world: post messages per trade, comments, names.

Templates use ``str.format`` slots filled from the ``SLOTS`` of the same trade.
"""

from __future__ import annotations

POST_TEMPLATES: dict[str, tuple[str, ...]] = {
    "baeckerei": (
        "Frisch aus dem Ofen: unser {produkt}! Heute bis {uhrzeit} Uhr in der Theke. 🥖",
        "Diese Woche im Angebot: {produkt} für nur {preis} €. Wir freuen uns auf euch!",
        "Guten Morgen! Die ersten {produkt} sind schon fertig – kommt vorbei.",
        "Am {wochentag} haben wir wegen einer Betriebsfeier erst ab 10 Uhr geöffnet.",
        "Neu in unserem Sortiment: {produkt} nach Omas Rezept. Probiert es aus!",
        "Ein Blick in die Backstube um 4 Uhr morgens – so entsteht euer {produkt}.",
        "Wir suchen Verstärkung! Verkäufer/in (m/w/d) in Teilzeit. Meldet euch gern.",
        "Danke für 10 Jahre Treue! Am {wochentag} gibt es zu jedem Einkauf ein {produkt} gratis.",
        "Vorbestellung für das Wochenende: {produkt} bis {wochentag} 18 Uhr bestellen.",
        "Regional und ehrlich: unser Mehl kommt aus der Mühle im Nachbarort. 🌾",
    ),
    "schreinerei": (
        "Fertig montiert: {projekt} aus {holz} für eine Familie in {ort}.",
        "Aus der Werkstatt: heute haben wir {projekt} aus {holz} verleimt.",
        "Maßarbeit, die bleibt – {projekt} in {holz}, geölt und gewachst.",
        "Wir bilden aus! Ausbildung zum Tischler (m/w/d) ab {monat}. Bewerbt euch jetzt.",
        "Tag der offenen Werkstatt am {wochentag}: schaut uns über die Schulter!",
        "Vorher/Nachher: alte Treppe aufgearbeitet, neues Leben für {holz}.",
        "Unser neuer Azubi hat sein erstes Stück gebaut: {projekt}. Stark gemacht!",
        "Tipp vom Profi: {holz} regelmäßig ölen, dann hält {projekt} ein Leben lang.",
        "Betriebsurlaub vom {datum} – Anfragen beantworten wir danach sofort.",
        "Nachhaltig: Reststücke aus {holz} werden bei uns zu Schneidebrettern.",
    ),
    "friseur": (
        "Neuer Look für den {jahreszeit}: {stil} – jetzt Termin sichern! ✂️",
        "Unsere {name} war auf Fortbildung und bringt die neuesten {stil}-Techniken mit.",
        "Am {wochentag} sind noch Termine frei. Einfach anrufen oder online buchen.",
        "Vorher/Nachher: {stil} mit Pflege-Kur. Was sagt ihr?",
        "Wir haben neue Pflegeprodukte ohne Silikone im Salon. Fragt gern nach!",
        "Kinderhaarschnitt am {wochentag} zum halben Preis. 💇",
        "Herzlich willkommen im Team: {name} verstärkt uns ab sofort.",
        "Brautstyling 2026: jetzt Probetermine für die Hochzeitssaison buchen.",
        "Gewinnspiel! Kommentiert euren Lieblingslook und gewinnt einen {stil}-Termin.",
        "Danke für eure tollen Bewertungen – ihr seid die Besten! ❤️",
    ),
}

SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "baeckerei": {
        "produkt": (
            "Dinkelvollkornbrot",
            "Laugenbrezeln",
            "Roggenmischbrot",
            "Apfelstrudel",
            "Bienenstich",
            "Mohnbrötchen",
            "Käsekuchen",
            "Zimtschnecken",
        ),
        "uhrzeit": ("11", "12", "14", "16"),
        "preis": ("1,20", "2,50", "3,90", "4,50"),
        "wochentag": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"),
    },
    "schreinerei": {
        "projekt": (
            "ein Esstisch",
            "eine Einbauküche",
            "ein Kleiderschrank",
            "eine Treppe",
            "ein Bücherregal",
            "eine Haustür",
        ),
        "holz": ("Eiche", "Nussbaum", "Kirsche", "Buche", "Lärche", "Ahorn"),
        "ort": ("Freiburg", "Emmendingen", "Lörrach", "Offenburg", "Waldkirch"),
        "monat": ("August", "September"),
        "wochentag": ("Samstag", "Freitag"),
        "datum": ("24.12. bis 6.1.", "1.8. bis 15.8.", "28.10. bis 1.11."),
    },
    "friseur": {
        "jahreszeit": ("Frühling", "Sommer", "Herbst", "Winter"),
        "stil": ("Balayage", "Bob", "Pixie Cut", "Curtain Bangs", "Undercut", "Wellen"),
        "name": ("Lena", "Aylin", "Sophie", "Mia", "Jana"),
        "wochentag": ("Dienstag", "Mittwoch", "Donnerstag", "Freitag"),
    },
}

PRAISE: tuple[str, ...] = (
    "Super! 😍",
    "Sieht toll aus!",
    "Immer wieder gerne bei euch.",
    "Beste Qualität in der ganzen Stadt!",
    "Wow, richtig schön geworden 👍",
    "Ihr seid einfach klasse.",
    "Danke für den tollen Service!",
    "Das muss ich unbedingt ausprobieren.",
    "Sehr freundliches Team, absolute Empfehlung!",
    "Top! Weiter so.",
)

QUESTIONS: dict[str, tuple[str, ...]] = {
    "baeckerei": (
        "Habt ihr am Sonntag offen?",
        "Gibt es das Brot auch glutenfrei?",
        "Kann man Torten bei euch vorbestellen?",
        "Bis wann habt ihr samstags geöffnet?",
    ),
    "schreinerei": (
        "Macht ihr auch kleinere Reparaturen?",
        "Wie lange ist die Lieferzeit für einen Tisch?",
        "Habt ihr am Sonntag offen?",
        "Was kostet ungefähr eine Treppe in Eiche?",
    ),
    "friseur": (
        "Habt ihr am Sonntag offen?",
        "Kann man auch ohne Termin vorbeikommen?",
        "Was kostet eine Balayage bei langen Haaren?",
        "Schneidet ihr auch Locken trocken?",
    ),
}

COMPLAINTS: dict[str, tuple[str, ...]] = {
    "baeckerei": (
        "Die Brötchen waren heute leider nicht frisch.",
        "Samstag um 11 Uhr schon alles ausverkauft, schade.",
        "Die Preise sind ganz schön gestiegen.",
    ),
    "schreinerei": (
        "Ich warte seit drei Wochen auf mein Angebot.",
        "Der Termin wurde zweimal verschoben, ärgerlich.",
        "Leider ging nie jemand ans Telefon.",
    ),
    "friseur": (
        "Mein Termin wurde kurzfristig abgesagt, sehr ärgerlich.",
        "Die Wartezeit trotz Termin war über 30 Minuten.",
        "Farbe ist leider nicht so geworden wie besprochen.",
    ),
}

ANGRY: tuple[str, ...] = (
    "Unverschämt! So behandelt man keine Stammkunden.",
    "Nie wieder. Das war das letzte Mal.",
    "Eine Frechheit, diese Preiserhöhung ohne Vorwarnung!",
    "Ich bin echt enttäuscht und sauer.",
    "Abzocke! Da gehe ich lieber woanders hin.",
    "Katastrophe, so etwas habe ich noch nie erlebt.",
    "Ihr verliert gerade alle eure treuen Kunden.",
    "Schämt euch! Kein Wort der Entschuldigung.",
    "Völlig inakzeptabel, ich bin stinksauer.",
    "Und dann auch noch unfreundlich am Telefon. Unmöglich!",
)

BURST_POST_MESSAGE = (
    "Liebe Kundinnen und Kunden, ab 1. Februar gelten neue Preise. "
    "Termine ohne Anzahlung können wir leider nicht mehr annehmen."
)

PAGE_REPLIES_TO_QUESTIONS: tuple[str, ...] = (
    "Hallo! Sonntags haben wir leider geschlossen, aber samstags sind wir bis 14 Uhr für euch da.",
    "Danke für deine Frage! Ruf uns gern an, dann besprechen wir alles persönlich.",
    "Ja, das geht – schreib uns einfach eine Nachricht mit den Details.",
    "Gute Frage! Die Antwort findest du auch auf unserer Webseite, oder komm vorbei.",
)

PAGE_REPLIES_TO_COMPLAINTS: tuple[str, ...] = (
    "Das tut uns sehr leid! Bitte melde dich direkt bei uns, wir finden eine Lösung.",
    "Danke für dein ehrliches Feedback, wir kümmern uns darum.",
)

PAGE_REPLIES_TO_PRAISE: tuple[str, ...] = (
    "Vielen Dank, das freut uns riesig! 😊",
    "Danke dir, bis bald!",
)

CUSTOMER_REPLIES: tuple[str, ...] = (
    "Kann ich nur bestätigen!",
    "Geht mir genauso.",
    "@Team danke für die schnelle Antwort!",
    "Stimmt 😄",
)

FIRST_NAMES: tuple[str, ...] = (
    "Anna",
    "Ben",
    "Claudia",
    "David",
    "Elif",
    "Felix",
    "Gabi",
    "Hannes",
    "Ines",
    "Jonas",
    "Katrin",
    "Lukas",
    "Maria",
    "Niklas",
    "Olga",
    "Paul",
    "Sabine",
    "Thomas",
    "Ute",
    "Yusuf",
)

LAST_NAMES: tuple[str, ...] = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Yılmaz",
    "Richter",
    "Klein",
    "Wolf",
)
