//! Names from several cultures, with their accents, and the other texts of demo data.

/// First and last names that belong together.
pub(super) struct Culture {
    pub first: &'static [&'static str],
    pub last: &'static [&'static str],
}

/// Patients' names come from these, one culture per patient.
pub(super) const CULTURES: &[Culture] = &[
    Culture {
        first: &[
            "María", "José", "Lucía", "Jesús", "Inés", "Andrés", "Begoña", "Íñigo", "Sofía",
            "Martín",
        ],
        last: &[
            "García",
            "Fernández",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Muñoz",
            "Jiménez",
            "Núñez",
            "Ortega",
        ],
    },
    Culture {
        first: &[
            "João",
            "Conceição",
            "Gonçalo",
            "Luísa",
            "Antônio",
            "Fátima",
            "Sebastião",
            "Inês",
        ],
        last: &[
            "Gonçalves",
            "Magalhães",
            "Brandão",
            "Simões",
            "Araújo",
            "Guimarães",
            "Loureiro",
            "Conceição",
        ],
    },
    Culture {
        first: &[
            "Hélène",
            "François",
            "Zoë",
            "Anaïs",
            "Jérôme",
            "Cécile",
            "Noël",
            "Maëlle",
            "Benoît",
            "Léa",
        ],
        last: &[
            "Lefèvre",
            "Béranger",
            "Dupré",
            "Mercier",
            "Rousseau",
            "Lévêque",
            "Chevalier",
            "Barthélemy",
            "Fauré",
        ],
    },
    Culture {
        first: &[
            "Jürgen",
            "Jörg",
            "Käthe",
            "Günther",
            "Lukas",
            "Hannelore",
            "Anneliese",
            "Matthias",
            "Sören",
        ],
        last: &[
            "Müller",
            "Schröder",
            "Groß",
            "Weiß",
            "Köhler",
            "Bäcker",
            "Fuchs",
            "Hoffmann",
            "Krüger",
            "Schäfer",
        ],
    },
    Culture {
        first: &[
            "Søren", "Åsa", "Bjørn", "Linnéa", "Ingrid", "Mikael", "Siv", "Ólafur", "Þóra",
        ],
        last: &[
            "Sørensen",
            "Åberg",
            "Lindqvist",
            "Næss",
            "Håkansson",
            "Jónsdóttir",
            "Ødegård",
        ],
    },
    Culture {
        first: &[
            "Łukasz",
            "Zofia",
            "Wojciech",
            "Małgorzata",
            "Grzegorz",
            "Agnieszka",
            "Jędrzej",
        ],
        last: &[
            "Wójcik",
            "Kowalczyk",
            "Wiśniewska",
            "Dąbrowski",
            "Zieliński",
            "Woźniak",
            "Kamińska",
            "Szczęsny",
        ],
    },
    Culture {
        first: &["Jiří", "Tereza", "Dušan", "Zuzana", "Růžena", "Ondřej"],
        last: &["Dvořák", "Novák", "Černá", "Svoboda", "Procházka", "Kučera"],
    },
    Culture {
        first: &["Ayşe", "Mehmet", "Çağla", "Gökhan", "Şule", "Emre", "Özlem"],
        last: &[
            "Yılmaz", "Çelik", "Öztürk", "Şahin", "Doğan", "Kılıç", "Aydın",
        ],
    },
    Culture {
        first: &["Zsófia", "László", "Ágnes", "Gyöngyi", "Péter", "Enikő"],
        last: &["Szabó", "Kovács", "Tóth", "Horváth", "Nagy", "Varga"],
    },
    Culture {
        first: &["Siobhán", "Seán", "Aoife", "Pádraig", "Niamh", "Caoimhe"],
        last: &[
            "Ó Briain",
            "Ó Súilleabháin",
            "O'Connor",
            "Murphy",
            "Ó Conaill",
            "Kelly",
        ],
    },
    Culture {
        first: &[
            "Niccolò", "Chiara", "Giosuè", "Lucia", "Federico", "Beatrice",
        ],
        last: &["Rossi", "Bianchi", "Esposito", "Ricci", "Russo", "Colombo"],
    },
    Culture {
        first: &[
            "Dimitrios",
            "Eleni",
            "Konstantinos",
            "Katerina",
            "Georgios",
            "Sofia",
        ],
        last: &[
            "Papadopoulos",
            "Georgiou",
            "Nikolaidis",
            "Vlachou",
            "Pappas",
        ],
    },
    Culture {
        first: &["Fatima", "Youssef", "Layla", "Omar", "Nour", "Karim"],
        last: &["Haddad", "Al-Masri", "Khoury", "El-Amin", "Mansour"],
    },
    Culture {
        first: &[
            "Chinonso",
            "Ngozi",
            "Oluwaseun",
            "Adaeze",
            "Emeka",
            "Folasade",
        ],
        last: &["Okafor", "Adeyemi", "Nwosu", "Okonkwo", "Balogun"],
    },
    Culture {
        first: &["Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram"],
        last: &[
            "Raghunathan",
            "Sharma",
            "Iyer",
            "Patel",
            "Menon",
            "Chaudhary",
        ],
    },
    Culture {
        first: &["Yūki", "Kōji", "Haruka", "Shōta", "Aiko", "Ren"],
        last: &["Satō", "Itō", "Katō", "Kondō", "Tanaka", "Yamamoto"],
    },
    Culture {
        first: &["Ji-woo", "Min-jun", "Seo-yeon", "Ha-eun", "Do-yun"],
        last: &["Kim", "Park", "Choi", "Jeong", "Kang"],
    },
    Culture {
        first: &["Wei", "Xiaoling", "Jun", "Mei", "Hao"],
        last: &["Wang", "Zhang", "Chen", "Liu", "Zhou"],
    },
    Culture {
        first: &["Amani", "Wanjiru", "Baraka", "Njeri", "Otieno"],
        last: &["Mwangi", "Kamau", "Wambui", "Ochieng", "Kiprono"],
    },
    Culture {
        first: &["Emily", "James", "Olivia", "William", "Grace", "Henry"],
        last: &["Smith", "Johnson", "Taylor", "Brown", "Walker", "Clarke"],
    },
];

/// The physicians who save demo plans.
pub(super) const PHYSICIANS: &[&str] = &[
    "Dr. Inés Ortega",
    "Dr. Lukas Weber",
    "Dr. Aiko Tanaka",
    "Dr. Rahel Haile",
    "Dr. Seán Ó Murchú",
    "Dr. Camille Lefèbvre",
];

/// Notes a physician writes while a plan runs.
pub(super) const NOTES: &[&str] = &[
    "Patient asked about downtime; explained what to expect after each session.",
    "Baseline photographs taken under standard lighting.",
    "Consent form signed; a copy was given to the patient.",
    "Patient prefers morning appointments.",
    "Reviewed the medication list; no changes since screening.",
    "Mild bruising at the site, gone within a week.",
    "Patient reports good tolerance; no adverse events.",
    "Follow-up photographs show a visible improvement.",
    "Discussed realistic expectations and the evidence, including where it is thin.",
    "Patient will stop the supplements a week before the first session.",
];

/// Notes that say why a plan was cancelled.
pub(super) const CANCELLATIONS: &[&str] = &[
    "Cancelled at the patient's request.",
    "Cancelled: the patient moved away.",
    "Cancelled: the patient chose another treatment.",
    "Cancelled for now; the patient will call back next year.",
];

/// Tasks a physician adds to a plan's checklist.
pub(super) const EXTRA_TASKS: &[&str] = &[
    "Send the pre-procedure instructions by e-mail",
    "Confirm the insurance pre-authorisation",
    "Order a blood count before the first session",
    "Call the patient two days after the session",
    "Book the photographer for the follow-up",
];
