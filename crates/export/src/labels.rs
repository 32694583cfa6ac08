//! The words of an exported page, in the class's language (Finnish, Swedish, English,
//! Estonian or Norwegian Bokmål).

/// Headings and labels of an exported page.
#[derive(Debug)]
pub struct Labels {
    pub lang: &'static str,
    pub group: &'static str,
    pub agreement: &'static str,
    pub roles: &'static str,
    pub rules: &'static str,
    pub phenomenon: &'static str,
    pub why: &'static str,
    pub subjects: &'static str,
    pub goals: &'static str,
    pub reached: &'static str,
    pub questions: &'static str,
    pub notes: &'static str,
    pub sources: &'static str,
    pub findings: &'static str,
    pub tools: &'static str,
    pub content: &'static str,
    pub sharing: &'static str,
    pub presentation: &'static str,
    pub learned: &'static str,
    pub went_well: &'static str,
    pub do_differently: &'static str,
    pub stars: &'static str,
    pub feedback: &'static str,
    pub overall: &'static str,
    pub approved: &'static str,
    pub returned: &'static str,
    pub not_reviewed: &'static str,
    pub about_step: &'static str,
    pub about_question: &'static str,
    pub about_block: &'static str,
    pub projects: &'static str,
    pub made_with: &'static str,
    /// Before the list of projects that could not be read (and are not in the export).
    pub unreadable: &'static str,
    pub no_audio: &'static str,
    /// In place of a photo, drawing, sound or video that was not on the exporting device.
    pub missing_photo: &'static str,
    pub missing_drawing: &'static str,
    pub missing_audio: &'static str,
    pub missing_video: &'static str,
    /// The cartridge's first page (section 0 of a Moodle course): what the export holds.
    pub about_export: &'static str,
    pub exported_on: &'static str,
    /// The section of a project's spoken answers, and the name of a peer-feedback field.
    pub voice_answers: &'static str,
    pub peer_feedback: &'static str,
}

pub const EN: Labels = Labels {
    lang: "en",
    group: "Group",
    agreement: "Our agreement",
    roles: "Roles",
    rules: "Rules",
    phenomenon: "Phenomenon",
    why: "Why we chose it",
    subjects: "School subjects",
    goals: "Goals",
    reached: "reached",
    questions: "Research questions",
    notes: "Notes",
    sources: "Sources",
    findings: "What we found out",
    tools: "Tools",
    content: "Content",
    sharing: "Sharing and reflection",
    presentation: "How we share our work",
    learned: "What we learned",
    went_well: "What went well",
    do_differently: "What we would do differently",
    stars: "How well it went",
    feedback: "Teacher's feedback",
    overall: "Overall",
    approved: "Approved",
    returned: "Returned for revision",
    not_reviewed: "Not reviewed yet",
    about_step: "About the step",
    about_question: "About a research question",
    about_block: "About a part of a page",
    projects: "Projects",
    made_with: "Made with Hug me! Studio",
    unreadable: "Could not be read, so not included",
    no_audio: "Your browser cannot play this recording.",
    missing_photo: "This photo had not reached the teacher's device yet when this was exported.",
    missing_drawing:
        "This drawing had not reached the teacher's device yet when this was exported.",
    missing_audio:
        "This recording had not reached the teacher's device yet when this was exported.",
    missing_video: "This video had not reached the teacher's device yet when this was exported.",
    about_export: "About these projects",
    exported_on: "Exported from Hug me! Studio on",
    voice_answers: "Spoken answers",
    peer_feedback: "Feedback to another group",
};

pub const FI: Labels = Labels {
    lang: "fi",
    group: "Ryhmä",
    agreement: "Yhteiset sopimukset",
    roles: "Roolit",
    rules: "Säännöt",
    phenomenon: "Ilmiö",
    why: "Miksi valitsimme sen",
    subjects: "Oppiaineet",
    goals: "Tavoitteet",
    reached: "saavutettu",
    questions: "Tutkimuskysymykset",
    notes: "Muistiinpanot",
    sources: "Lähteet",
    findings: "Mitä saimme selville",
    tools: "Työkalut",
    content: "Sisältö",
    sharing: "Jakaminen ja pohdinta",
    presentation: "Miten jaamme työmme",
    learned: "Mitä opimme",
    went_well: "Mikä meni hyvin",
    do_differently: "Mitä tekisimme toisin",
    stars: "Miten onnistuimme",
    feedback: "Opettajan palaute",
    overall: "Kokonaisuus",
    approved: "Hyväksytty",
    returned: "Palautettu korjattavaksi",
    not_reviewed: "Ei vielä arvioitu",
    about_step: "Vaiheesta",
    about_question: "Tutkimuskysymyksestä",
    about_block: "Sivun osasta",
    projects: "Projektit",
    made_with: "Tehty Hug me! Studiolla",
    unreadable: "Ei voitu lukea, joten ei mukana",
    no_audio: "Selaimesi ei voi toistaa tätä äänitettä.",
    missing_photo: "Tämä kuva ei ollut vielä ehtinyt opettajan laitteelle, kun työ vietiin.",
    missing_drawing: "Tämä piirros ei ollut vielä ehtinyt opettajan laitteelle, kun työ vietiin.",
    missing_audio: "Tämä äänite ei ollut vielä ehtinyt opettajan laitteelle, kun työ vietiin.",
    missing_video: "Tämä video ei ollut vielä ehtinyt opettajan laitteelle, kun työ vietiin.",
    about_export: "Tietoa projekteista",
    exported_on: "Viety Hug me! Studiosta",
    voice_answers: "Puhutut vastaukset",
    peer_feedback: "Palaute toiselle ryhmälle",
};

pub const SV: Labels = Labels {
    lang: "sv",
    group: "Grupp",
    agreement: "Våra överenskommelser",
    roles: "Roller",
    rules: "Regler",
    phenomenon: "Fenomen",
    why: "Varför vi valde det",
    subjects: "Skolämnen",
    goals: "Mål",
    reached: "uppnått",
    questions: "Forskningsfrågor",
    notes: "Anteckningar",
    sources: "Källor",
    findings: "Vad vi tog reda på",
    tools: "Verktyg",
    content: "Innehåll",
    sharing: "Dela och reflektera",
    presentation: "Hur vi delar vårt arbete",
    learned: "Vad vi lärde oss",
    went_well: "Vad som gick bra",
    do_differently: "Vad vi skulle göra annorlunda",
    stars: "Hur det gick",
    feedback: "Lärarens respons",
    overall: "Helheten",
    approved: "Godkänt",
    returned: "Återsänt för bearbetning",
    not_reviewed: "Inte bedömt ännu",
    about_step: "Om steget",
    about_question: "Om en forskningsfråga",
    about_block: "Om en del av en sida",
    projects: "Projekt",
    made_with: "Gjort med Hug me! Studio",
    unreadable: "Kunde inte läsas och finns därför inte med",
    no_audio: "Din webbläsare kan inte spela upp den här inspelningen.",
    missing_photo: "Det här fotot hade inte nått lärarens enhet ännu när arbetet exporterades.",
    missing_drawing:
        "Den här teckningen hade inte nått lärarens enhet ännu när arbetet exporterades.",
    missing_audio:
        "Den här inspelningen hade inte nått lärarens enhet ännu när arbetet exporterades.",
    missing_video: "Den här videon hade inte nått lärarens enhet ännu när arbetet exporterades.",
    about_export: "Om projekten",
    exported_on: "Exporterat från Hug me! Studio den",
    voice_answers: "Talade svar",
    peer_feedback: "Respons till en annan grupp",
};

pub const ET: Labels = Labels {
    lang: "et",
    group: "Rühm",
    agreement: "Meie kokkulepped",
    roles: "Rollid",
    rules: "Reeglid",
    phenomenon: "Nähtus",
    why: "Miks me selle valisime",
    subjects: "Õppeained",
    goals: "Eesmärgid",
    reached: "saavutatud",
    questions: "Uurimisküsimused",
    notes: "Märkmed",
    sources: "Allikad",
    findings: "Mida me teada saime",
    tools: "Tööriistad",
    content: "Sisu",
    sharing: "Jagamine ja arutelu",
    presentation: "Kuidas me oma tööd jagame",
    learned: "Mida me õppisime",
    went_well: "Mis läks hästi",
    do_differently: "Mida me teeksime teisiti",
    stars: "Kuidas läks",
    feedback: "Õpetaja tagasiside",
    overall: "Kokkuvõttes",
    approved: "Heaks kiidetud",
    returned: "Tagasi parandamiseks",
    not_reviewed: "Veel hindamata",
    about_step: "Etapi kohta",
    about_question: "Uurimisküsimuse kohta",
    about_block: "Lehe osa kohta",
    projects: "Projektid",
    made_with: "Tehtud rakendusega Hug me! Studio",
    unreadable: "Ei õnnestunud lugeda, seega pole kaasas",
    no_audio: "Sinu brauser ei saa seda salvestist esitada.",
    missing_photo: "See foto polnud eksportimise ajaks veel õpetaja seadmesse jõudnud.",
    missing_drawing: "See joonistus polnud eksportimise ajaks veel õpetaja seadmesse jõudnud.",
    missing_audio: "See salvestis polnud eksportimise ajaks veel õpetaja seadmesse jõudnud.",
    missing_video: "See video polnud eksportimise ajaks veel õpetaja seadmesse jõudnud.",
    about_export: "Projektidest",
    exported_on: "Eksporditud rakendusest Hug me! Studio",
    voice_answers: "Suulised vastused",
    peer_feedback: "Tagasiside teisele rühmale",
};

pub const NB: Labels = Labels {
    lang: "nb",
    group: "Gruppe",
    agreement: "Våre avtaler",
    roles: "Roller",
    rules: "Regler",
    phenomenon: "Fenomen",
    why: "Hvorfor vi valgte det",
    subjects: "Skolefag",
    goals: "Mål",
    reached: "nådd",
    questions: "Forskningsspørsmål",
    notes: "Notater",
    sources: "Kilder",
    findings: "Hva vi fant ut",
    tools: "Verktøy",
    content: "Innhold",
    sharing: "Deling og refleksjon",
    presentation: "Hvordan vi deler arbeidet vårt",
    learned: "Hva vi lærte",
    went_well: "Hva som gikk bra",
    do_differently: "Hva vi ville gjort annerledes",
    stars: "Hvordan det gikk",
    feedback: "Lærerens tilbakemelding",
    overall: "Samlet kommentar",
    approved: "Godkjent",
    returned: "Sendt tilbake for bearbeiding",
    not_reviewed: "Ikke vurdert ennå",
    about_step: "Om steget",
    about_question: "Om et forskningsspørsmål",
    about_block: "Om en del av en side",
    projects: "Prosjekter",
    made_with: "Laget med Hug me! Studio",
    unreadable: "Kunne ikke leses, og er derfor ikke med",
    no_audio: "Nettleseren din kan ikke spille av dette opptaket.",
    missing_photo:
        "Dette bildet hadde ikke kommet fram til lærerens enhet da arbeidet ble eksportert.",
    missing_drawing:
        "Denne tegningen hadde ikke kommet fram til lærerens enhet da arbeidet ble eksportert.",
    missing_audio:
        "Dette opptaket hadde ikke kommet fram til lærerens enhet da arbeidet ble eksportert.",
    missing_video:
        "Denne videoen hadde ikke kommet fram til lærerens enhet da arbeidet ble eksportert.",
    about_export: "Om prosjektene",
    exported_on: "Eksportert fra Hug me! Studio",
    voice_answers: "Muntlige svar",
    peer_feedback: "Tilbakemelding til en annen gruppe",
};

/// Every language's labels, in the order the app lists the languages.
pub const ALL: [&Labels; 5] = [&FI, &SV, &EN, &ET, &NB];

/// The labels for a class's language setting (a BCP 47 tag: `fi`, `sv-FI`, `nb`, `no`…),
/// English for a language the app does not have.
pub fn for_language(language: &str) -> &'static Labels {
    let named = hugme_model::class::language_of(language).unwrap_or("en");
    ALL.into_iter().find(|l| l.lang == named).unwrap_or(&EN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_is_found_by_its_tag_and_says_every_label() {
        for labels in ALL {
            assert_eq!(for_language(labels.lang).lang, labels.lang);
            let debug = format!("{labels:?}");
            assert!(
                !debug.contains(": \"\""),
                "{} has an empty label",
                labels.lang
            );
        }
        assert_eq!(for_language("sv-FI").lang, "sv");
        assert_eq!(for_language("no").lang, "nb");
        assert_eq!(for_language("de").lang, "en");
        // Translated: no language but English shares most of its labels.
        for labels in ALL.iter().filter(|l| l.lang != "en") {
            let same = format!("{labels:?}")
                .split(", ")
                .zip(format!("{EN:?}").split(", "))
                .filter(|(a, b)| a == b)
                .count();
            assert!(same < 5, "{}: {same} labels as in English", labels.lang);
        }
    }
}
