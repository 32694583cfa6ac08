//! The sample class of Hug me! Studio: class 5B with two groups, "Ketut" working in Finnish
//! on the forest in winter and "Otters" in English on water in the town, each project with
//! every step filled in, research questions with notes, sources and findings, and a content
//! page with text and two generated pictures; and a bigger class for the teacher's overview,
//! every group at its own step.
//!
//! Built as plain values and written through a [`Folder`]: the app's facade (`hugme-app`,
//! for `hugme demo` and "load a sample class"), or a bare store in the tests of crates below
//! it (the export's), so those need not depend on the facade.
//!
//! # Layout
//! - [`Folder`], [`create`], [`fill_class`] (this file): what is written, and where.
//! - the plans of the two groups, [`iso_date`], and the generated pictures (PNG, 480 × 320).

use hugme_model::document::Document;
use hugme_model::{
    Block, BlockKind, CheckIn, Class, ClassId, Goal, GroupId, MediaRef, Member, Page, Project,
    ProjectId, ResearchQuestion, Role, Rule, Source, Step, StepState, Subject, Text, Tool,
};

/// Where the sample is written: a data folder.
pub trait Folder {
    /// The folder's error; a picture that cannot be made is one.
    type Error: From<PictureError>;
    /// Stores a new document durably.
    fn create<T: Document>(&self, id: &str, value: &T) -> Result<(), Self::Error>;
    /// Stores a picture's bytes (once, however often); its BLAKE3 hash (hex) and size in bytes.
    fn add_picture(&self, png: &[u8]) -> Result<(String, u64), Self::Error>;
}

/// A sample picture could not be encoded as PNG.
#[derive(Debug, thiserror::Error)]
#[error("could not make the sample image {name}: {source}")]
pub struct PictureError {
    pub name: String,
    #[source]
    pub source: png::EncodingError,
}

/// What the sample made.
#[derive(Debug)]
pub struct Demo {
    pub class: Class,
    pub projects: Vec<ProjectId>,
}

/// Milliseconds since the Unix epoch, now.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// One group of the sample: its pupils, roles and every step of its project.
struct GroupPlan {
    name: &'static str,
    members: [&'static str; 4],
    roles: [&'static str; 4],
    title: &'static str,
    phenomenon: (&'static str, &'static str),
    rules: [&'static str; 3],
    subjects: [(&'static str, &'static str); 3],
    goals: [&'static str; 2],
    questions: [(&'static str, &'static str, &'static str, &'static str); 2],
    tools: [(&'static str, &'static str); 2],
    page: (&'static str, &'static str),
    pictures: [(&'static str, Palette); 2],
    reflection: (&'static str, &'static str, &'static str),
}

const KETUT: GroupPlan = GroupPlan {
    name: "Ketut",
    members: ["Aino", "Eetu", "Venla", "Onni"],
    roles: ["Kirjuri", "Valokuvaaja", "Tiedonhakija", "Puheenjohtaja"],
    title: "Metsä talvella",
    phenomenon: (
        "Miten metsän eläimet selviävät talvesta?",
        "Näimme koulun takana jälkiä lumessa ja halusimme tietää, kuka niitä tekee.",
    ),
    rules: [
        "Kuuntelemme toisiamme.",
        "Jokainen saa vuoron.",
        "Kysymme apua, jos jumitamme.",
    ],
    subjects: [
        ("Ympäristöoppi", "Eläinten sopeutuminen talveen"),
        ("Äidinkieli", "Kirjoitamme tietotekstin"),
        ("Kuvataide", "Piirrämme eläinten jäljet"),
    ],
    goals: [
        "Tunnistamme viisi eläimen jälkeä.",
        "Teemme esityksen toiselle luokalle.",
    ],
    questions: [
        (
            "Mitä orava syö talvella?",
            "Orava kerää syksyllä käpyjä ja sieniä.",
            "Luonto-opas, koulun kirjasto",
            "Orava syö talvella kuusen siemeniä ja varastoimiaan sieniä.",
        ),
        (
            "Miksi jänis muuttuu valkoiseksi?",
            "Metsäjäniksen turkki vaihtuu syksyllä.",
            "Haastattelimme metsästäjää",
            "Valkoinen turkki suojaa jänistä lumessa petoeläimiltä.",
        ),
    ],
    tools: [
        ("Tabletin kamera", "Kuvaamme jäljet"),
        ("Hug me! Studio", "Kokoamme projektin"),
    ],
    page: (
        "Jäljet lumessa",
        "# Jäljet lumessa\n\nLöysimme **kolme** erilaista jälkeä:\n\n- jäniksen\n- oravan\n- ketun",
    ),
    pictures: [
        ("Lumiset puut", Palette::Winter),
        ("Auringonlasku metsässä", Palette::Sunset),
    ],
    reflection: (
        "Opimme, että eläimillä on monta keinoa selvitä kylmästä.",
        "Ryhmätyö sujui hyvin, kun jokaisella oli oma rooli.",
        "Ensi kerralla aloitamme kuvaamisen aikaisemmin.",
    ),
};

const OTTERS: GroupPlan = GroupPlan {
    name: "Otters",
    members: ["Mia", "Leo", "Sofia", "Noah"],
    roles: ["Writer", "Photographer", "Researcher", "Leader"],
    title: "Water in our town",
    phenomenon: (
        "Where does our tap water come from?",
        "The water tower near school is being repaired and we wondered what it does.",
    ),
    rules: ["We listen to each other.", "Everyone gets a turn.", "We are kind when we disagree."],
    subjects: [
        ("Environmental studies", "The water cycle"),
        ("Mathematics", "How many litres a family uses"),
        ("English", "We write a report"),
    ],
    goals: ["Explain the path of water from lake to tap.", "Measure our own water use for a week."],
    questions: [
        (
            "How is lake water cleaned?",
            "The treatment plant uses sand filters.",
            "Visit to the water plant; city website",
            "Water is filtered through sand, then disinfected with UV light.",
        ),
        (
            "Why is the water tower so high?",
            "Height gives pressure.",
            "Interview with the caretaker",
            "The tower is high so that gravity pushes water into every home.",
        ),
    ],
    tools: [("Tablet camera", "Photos of the water plant"), ("Spreadsheet", "Our water diary")],
    page: (
        "From lake to tap",
        "# From lake to tap\n\nWater takes a **long trip**:\n\n- lake\n- treatment plant\n- water tower\n- tap",
    ),
    pictures: [("The lake in the morning", Palette::Lake), ("Our water tower", Palette::Sunset)],
    reflection: (
        "We learned that clean water takes a lot of work.",
        "Our interview questions were good.",
        "We would measure for two weeks, not one.",
    ),
};

/// Writes the sample class and its two projects into `folder`.
///
/// # Errors
/// The folder's, when a document or picture cannot be stored.
pub fn create<F: Folder>(folder: &F) -> Result<Demo, F::Error> {
    let mut class = Class::new("5B");
    for plan in [&KETUT, &OTTERS] {
        class.add_group(plan.name);
        if let Some(g) = class
            .groups
            .iter_mut()
            .find(|g| g.name.as_str() == plan.name)
        {
            g.members = plan.members.iter().map(|m| Member::new(m)).collect();
        }
    }
    folder.create(class.id.as_str(), &class)?;
    let mut projects = Vec::new();
    for (n, (plan, group)) in [&KETUT, &OTTERS].into_iter().zip(&class.groups).enumerate() {
        let members = group.members.clone();
        let id = project_of(folder, &class.id, &group.id, plan, n, |p, pictures| {
            fill(p, plan, &members, pictures)
        })?;
        projects.push(id);
    }
    Ok(Demo { class, projects })
}

/// Writes a project of `group` after `plan`, with its two generated pictures, filled by
/// `fill`.
fn project_of<F: Folder>(
    folder: &F,
    class: &ClassId,
    group: &GroupId,
    plan: &GroupPlan,
    n: usize,
    fill: impl FnOnce(&mut Project, Vec<MediaRef>),
) -> Result<ProjectId, F::Error> {
    let mut project = Project::new(class.clone(), group.clone(), plan.title, now_ms());
    let mut pictures = Vec::new();
    for (i, (caption, palette)) in plan.pictures.iter().enumerate() {
        let png = picture(*palette, (2 * n + i) as u32).map_err(|source| PictureError {
            name: caption.to_string(),
            source,
        })?;
        let (hash, size) = folder.add_picture(&png)?;
        pictures.push(MediaRef {
            hash,
            mime: "image/png".into(),
            size,
            width: Some(u64::from(WIDTH)),
            height: Some(u64::from(HEIGHT)),
            caption: Text::with_value(caption),
            thumbnail: None,
            preview: None,
        });
    }
    fill(&mut project, pictures);
    folder.create(project.id.as_str(), &project)?;
    Ok(project.id)
}

/// Names for the groups of a bigger sample class.
pub const GROUP_NAMES: [&str; 8] = [
    "Ketut",
    "Karhut",
    "Pöllöt",
    "Saukot",
    "Ilvekset",
    "Hirvet",
    "Joutsenet",
    "Kärpät",
];

/// A WAV file (RIFF, 16-bit PCM mono at 16 kHz) of `ms` milliseconds of a 440 Hz tone: a
/// recording for the tests of what takes sound (voice answers, exports).
pub fn tone_wav(ms: u32) -> Vec<u8> {
    let samples: Vec<i16> = (0..16 * ms)
        .map(|i| ((i as f32 * 440.0 * std::f32::consts::TAU / 16000.0).sin() * 8000.0) as i16)
        .collect();
    let data = samples.len() as u32 * 2;
    let mut wav = Vec::with_capacity(44 + data as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // the fmt chunk's size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&16000u32.to_le_bytes()); // samples per second
    wav.extend_from_slice(&32000u32.to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per sample
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

/// `YYYY-MM-DD` of a day counted from the Unix epoch (UTC): the sample's "today" from the
/// command line, where the tablet's time zone is not known.
pub fn iso_date(days: i64) -> String {
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Gives every group of `class` a project, each further along than the one before, with
/// today's check-ins (`today`, `YYYY-MM-DD`) and one group asking for help: the teacher's
/// overview to look at (`hugme demo DIR --teacher`).
///
/// # Errors
/// The folder's, when a document or picture cannot be stored.
pub fn fill_class<F: Folder>(
    folder: &F,
    class: &Class,
    today: &str,
) -> Result<Vec<ProjectId>, F::Error> {
    let moods = ["🤩", "😄", "🙂", "😴", "😢"];
    let mut projects = Vec::new();
    for (n, group) in class.groups.iter().enumerate() {
        let plan = if n % 2 == 0 { &KETUT } else { &OTTERS };
        let members = group.members.clone();
        let id = project_of(folder, &class.id, &group.id, plan, n, |p, pictures| {
            fill(p, plan, &members, pictures);
            // Groups at every point of the journey: the first has just begun.
            let done = n % Step::ALL.len();
            for (i, step) in Step::ALL.iter().enumerate() {
                let state = match i.cmp(&done) {
                    std::cmp::Ordering::Less => StepState::Done,
                    std::cmp::Ordering::Equal => StepState::InProgress,
                    std::cmp::Ordering::Greater => StepState::NotStarted,
                };
                p.set_step_state(*step, state);
            }
            p.agreement.check_ins.push(CheckIn {
                id: "checkin-today".into(),
                date: today.into(),
                member_id: None,
                mood: moods[n % moods.len()].into(),
                note: Text::with_value(""),
            });
            if n == 2 {
                p.hand_raised_at = Some(now_ms());
            }
        })?;
        projects.push(id);
    }
    Ok(projects)
}

fn fill(p: &mut Project, plan: &GroupPlan, members: &[Member], pictures: Vec<MediaRef>) {
    let text = Text::with_value;
    p.agreement.roles = members
        .iter()
        .zip(plan.roles)
        .map(|(m, role)| Role {
            member_id: m.id.clone(),
            role: text(role),
        })
        .collect();
    p.agreement.rules = plan
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| Rule {
            id: format!("rule-{i}"),
            text: text(r),
        })
        .collect();
    p.agreement.check_ins = members
        .iter()
        .zip(["😀", "🙂", "😐", "😀"])
        .enumerate()
        .map(|(i, (m, mood))| CheckIn {
            id: format!("checkin-{i}"),
            date: "2026-11-23".into(),
            member_id: Some(m.id.clone()),
            mood: mood.into(),
            note: text(""),
        })
        .collect();
    p.phenomenon.title = text(plan.phenomenon.0);
    p.phenomenon.why = text(plan.phenomenon.1);
    p.subjects.items = plan
        .subjects
        .iter()
        .enumerate()
        .map(|(i, (name, how))| Subject {
            id: format!("subject-{i}"),
            name: name.to_string(),
            how: text(how),
        })
        .collect();
    p.goals.items = plan
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| Goal {
            id: format!("goal-{i}"),
            text: text(g),
            set_by_teacher: i == 0,
            reached: false,
        })
        .collect();
    p.research.questions = plan
        .questions
        .iter()
        .map(|(q, notes, source, findings)| {
            let mut rq = ResearchQuestion::new(q);
            rq.notes = text(notes);
            rq.sources = vec![Source {
                id: "source-0".into(),
                text: text(source),
            }];
            rq.findings = text(findings);
            rq
        })
        .collect();
    p.tools.items = plan
        .tools
        .iter()
        .enumerate()
        .map(|(i, (name, purpose))| Tool {
            id: format!("tool-{i}"),
            name: name.to_string(),
            purpose: text(purpose),
        })
        .collect();
    let mut page = Page::new(plan.page.0);
    page.blocks.push(Block::text(plan.page.1));
    for media in pictures {
        page.blocks.push(Block {
            id: hugme_model::BlockId::random(),
            kind: BlockKind::Photo { media },
        });
    }
    p.content.pages = vec![page];
    p.sharing.reflection.learned = text(plan.reflection.0);
    p.sharing.reflection.went_well = text(plan.reflection.1);
    p.sharing.reflection.do_differently = text(plan.reflection.2);
    p.sharing.reflection.stars = 4;
    for step in &Step::ALL[..6] {
        p.set_step_state(*step, StepState::Done);
    }
    p.set_step_state(Step::Content, StepState::InProgress);
}

const WIDTH: u32 = 480;
const HEIGHT: u32 = 320;

#[derive(Debug, Clone, Copy)]
enum Palette {
    Winter,
    Sunset,
    Lake,
}

/// A small landscape: a sky gradient, a sun and rolling hills, as PNG.
fn picture(palette: Palette, seed: u32) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let (sky_top, sky_bottom, sun, ground): ([f32; 3], [f32; 3], [f32; 3], [f32; 3]) = match palette
    {
        Palette::Winter => (
            [120., 160., 210.],
            [225., 235., 245.],
            [255., 250., 220.],
            [240., 244., 250.],
        ),
        Palette::Sunset => (
            [40., 40., 110.],
            [250., 150., 80.],
            [255., 220., 120.],
            [40., 70., 45.],
        ),
        Palette::Lake => (
            [90., 150., 220.],
            [200., 225., 245.],
            [255., 245., 200.],
            [40., 90., 140.],
        ),
    };
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    let (sun_x, sun_y) = (w * (0.3 + 0.4 * (seed % 2) as f32), h * 0.35);
    let mut data = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (xf, yf) = (x as f32, y as f32);
            let hill = h * 0.7 + (xf / w * 6.0 + seed as f32).sin() * h * 0.06;
            let mix =
                |a: [f32; 3], b: [f32; 3], t: f32| [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t);
            let colour = if yf > hill {
                mix(ground, [0., 0., 0.], (yf - hill) / h * 0.8)
            } else if (xf - sun_x).hypot(yf - sun_y) < h * 0.09 {
                sun
            } else {
                mix(sky_top, sky_bottom, yf / hill)
            };
            data.extend(colour.map(|c| c.clamp(0., 255.) as u8));
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_days() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(11_016), "2000-02-29");
        assert_eq!(iso_date(20_417), "2025-11-25");
    }

    #[test]
    fn every_seed_makes_its_own_picture() {
        let a = picture(Palette::Winter, 0).unwrap();
        let b = picture(Palette::Winter, 1).unwrap();
        assert_ne!(a, b);
        assert_eq!(&a[1..4], b"PNG");
    }
}
