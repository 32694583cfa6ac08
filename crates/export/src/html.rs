//! One project as a readable, printable HTML page (with its photos, drawings, sound and
//! video, and the research questions with findings), and the index page of a portfolio.
//!
//! Every text a pupil typed is escaped so that it stays text even in an LMS that decodes the
//! page once more ([`lms`]); the only markup is ours. Pages need no script and no network:
//! they open from a folder or a zip in any browser, and inside any LMS. They are plain `div`s
//! and `p`s with what matters styled inline (an LMS drops the `<style>` and HTML5's
//! `section`, `figure`): the stylesheet only makes the portfolio nicer.

use std::fmt::Write;

use hugme_model::{Approval, Block, BlockKind, Class, MediaRef, Pin, Step};

use crate::collect::Work;
use crate::labels::Labels;
use crate::lms;

/// Escapes text for HTML and XML content and attribute values (pages and the cartridge's
/// manifest alike). Characters XML 1.0 cannot hold at all (control characters, U+FFFE,
/// U+FFFF) are dropped: a pasted one must not make the manifest unreadable.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The light formatting of text blocks (`# heading`, `**bold**`, `- list`), as the app
/// shows it, from escaped text only.
pub fn markdown(text: &str) -> String {
    let inline = |s: &str| {
        let escaped = lms::text(s);
        let mut out = String::new();
        let mut rest = escaped.as_str();
        while let Some(start) = rest.find("**") {
            match rest[start + 2..].find("**") {
                Some(len) if len > 0 => {
                    out.push_str(&rest[..start]);
                    out.push_str("<strong>");
                    out.push_str(&rest[start + 2..start + 2 + len]);
                    out.push_str("</strong>");
                    rest = &rest[start + 4 + len..];
                }
                _ => break,
            }
        }
        out.push_str(rest);
        out
    };
    let mut out = String::new();
    let mut list = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            if !list {
                out.push_str("<ul>");
                list = true;
            }
            let _ = write!(out, "<li>{}</li>", inline(item));
            continue;
        }
        if list {
            out.push_str("</ul>");
            list = false;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=3).contains(&hashes) && line[hashes..].starts_with(' ') {
            let level = hashes + 2; // h3–h5 inside a content page
            let _ = write!(
                out,
                "<h{level}>{}</h{level}>",
                inline(line[hashes..].trim())
            );
        } else if !line.trim().is_empty() {
            let _ = write!(out, "<p>{}</p>", inline(line));
        }
    }
    if list {
        out.push_str("</ul>");
    }
    out
}

const STYLE: &str = "body{font-family:'Noto Sans','DejaVu Sans',Arial,sans-serif;max-width:52rem;\
margin:0 auto;padding:1.5rem;line-height:1.5;color:#1e1b24;background:#fff}\
h1{color:#b8336a;margin-bottom:.2rem}h2{border-bottom:2px solid #f0e4d7;padding-bottom:.2rem;\
margin-top:2rem}.group{display:inline-block;border-radius:999px}.figure{margin:1rem 0}\
img,video{max-width:100%;height:auto;border-radius:8px}.caption{color:#5b5566;font-size:.95rem;\
margin-top:.2rem}.question{margin:1rem 0}.feedback{border-radius:8px}\
.muted{color:#5b5566}.footer{margin-top:3rem;color:#5b5566;font-size:.9rem}\
@media print{body{max-width:none}a{color:inherit}}";

fn head(out: &mut String, labels: &Labels, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        labels.lang,
        lms::text(&lms::title(title))
    );
}

/// `colour` if it is a CSS hex colour (`#rgb` or `#rrggbb`), else a grey: the group's colour
/// goes into a `style` attribute, and a document a pupil's tools wrote could hold anything.
fn hex_colour(colour: &str) -> &str {
    let hex = colour.strip_prefix('#').unwrap_or("");
    if matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        colour
    } else {
        "#5b5566"
    }
}

/// What a page needs to know besides the project.
pub struct PageContext<'a> {
    pub class: &'a Class,
    pub labels: &'static Labels,
    pub include_feedback: bool,
    /// Where a blob is, relative to the page (or as the LMS resolves it); `None` when this
    /// device does not hold it (the page says it had not arrived).
    pub media_href: &'a dyn Fn(&MediaRef) -> Option<String>,
}

impl std::fmt::Debug for PageContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageContext")
            .field("class", &self.class.id)
            .field("lang", &self.labels.lang)
            .field("include_feedback", &self.include_feedback)
            .finish_non_exhaustive()
    }
}

/// The HTML page of one project.
pub fn project_page(work: &Work, cx: &PageContext<'_>) -> String {
    let p = &work.project;
    let l = cx.labels;
    let group_name = work.group.as_ref().map_or("", |g| g.name.as_str());
    // A pupil with a protected identity is shown by the group's name only.
    let member = |id: &hugme_model::MemberId| -> String {
        work.group
            .as_ref()
            .and_then(|g| g.members.iter().find(|m| &m.id == id))
            .map_or_else(
                || group_name.to_owned(),
                |m| {
                    if m.protected_identity {
                        group_name.to_owned()
                    } else {
                        m.name.as_str().to_owned()
                    }
                },
            )
    };
    let mut out = String::new();
    // The document title names the group too: an LMS lists pages by it (Instructure's
    // cartridge viewer does), and two groups' "Metsä talvella" must tell apart.
    let listed = if group_name.trim().is_empty() {
        p.title.as_str().to_owned()
    } else {
        format!("{}: {}", group_name.trim(), p.title.as_str())
    };
    head(&mut out, l, &listed);
    let colour = hex_colour(work.group.as_ref().map_or("", |g| g.colour.as_str()));
    // The badge's colours inline: an LMS that drops the stylesheet still shows white on the
    // group's colour.
    let _ = write!(
        out,
        "<div class=\"header\">\n<h1>{}</h1>\n<p><span class=\"group\" style=\"background-color:{}; \
         color:#ffffff; padding:2px 12px; font-weight:bold\">{} {}</span> \
         <span class=\"muted\" style=\"color:#5b5566\">{}</span></p>\n</div>\n",
        lms::text(p.title.as_str()),
        colour,
        lms::text(work.group.as_ref().map_or("", |g| g.avatar.as_str())),
        lms::text(group_name),
        lms::text(cx.class.name.as_str()),
    );

    let text_at = |out: &mut String, level: u8, heading: &str, t: &str| {
        if !t.trim().is_empty() {
            let _ = write!(
                out,
                "<h{level}>{}</h{level}>\n{}\n",
                lms::text(heading),
                paragraphs(t)
            );
        }
    };
    let text = |out: &mut String, heading: &str, t: &str| text_at(out, 3, heading, t);

    // Phenomenon first: it is what the project is about.
    let _ = write!(
        out,
        "<div class=\"section\" id=\"phenomenon\">\n<h2>{}</h2>\n",
        l.phenomenon
    );
    if !p.phenomenon.title.as_str().trim().is_empty() {
        let _ = writeln!(
            out,
            "<p><strong>{}</strong></p>",
            lms::text(p.phenomenon.title.as_str())
        );
    }
    text(&mut out, l.why, p.phenomenon.why.as_str());
    out.push_str("</div>\n");

    if !p.research.questions.is_empty() {
        let _ = write!(
            out,
            "<div class=\"section\" id=\"questions\">\n<h2>{}</h2>\n",
            l.questions
        );
        for (n, q) in p.research.questions.iter().enumerate() {
            let _ = write!(
                out,
                "<div class=\"question\" id=\"q-{}\" style=\"border-left:4px solid #b8336a; \
                 padding-left:16px\">\n<h3>{}</h3>\n",
                n + 1,
                lms::text(q.question.as_str())
            );
            text_at(&mut out, 4, l.notes, q.notes.as_str());
            if !q.sources.is_empty() {
                let _ = write!(out, "<h4>{}</h4>\n<ul>\n", l.sources);
                for s in &q.sources {
                    let _ = writeln!(out, "<li>{}</li>", lms::text(s.text.as_str()));
                }
                out.push_str("</ul>\n");
            }
            text_at(&mut out, 4, l.findings, q.findings.as_str());
            out.push_str("</div>\n");
        }
        out.push_str("</div>\n");
    }

    if !p.content.pages.is_empty() {
        let _ = write!(
            out,
            "<div class=\"section\" id=\"content\">\n<h2>{}</h2>\n",
            l.content
        );
        for page in &p.content.pages {
            if !page.title.as_str().trim().is_empty() {
                let _ = writeln!(out, "<h3>{}</h3>", lms::text(page.title.as_str()));
            }
            for block in &page.blocks {
                self::block(&mut out, block, cx);
            }
        }
        out.push_str("</div>\n");
    }

    if !p.subjects.items.is_empty() {
        let _ = write!(
            out,
            "<div class=\"section\" id=\"subjects\">\n<h2>{}</h2>\n<ul>\n",
            l.subjects
        );
        for s in &p.subjects.items {
            let how = s.how.as_str().trim();
            let _ = write!(out, "<li><strong>{}</strong>", lms::text(&s.name));
            if !how.is_empty() {
                let _ = write!(out, ": {}", lms::text(how));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</div>\n");
    }

    if !p.goals.items.is_empty() {
        let _ = write!(
            out,
            "<div class=\"section\" id=\"goals\">\n<h2>{}</h2>\n<ul>\n",
            l.goals
        );
        for g in &p.goals.items {
            let reached = if g.reached {
                format!(" ✓ {}", l.reached)
            } else {
                String::new()
            };
            let _ = writeln!(out, "<li>{}{}</li>", lms::text(g.text.as_str()), reached);
        }
        out.push_str("</ul>\n</div>\n");
    }

    if !p.tools.items.is_empty() {
        let _ = write!(
            out,
            "<div class=\"section\" id=\"tools\">\n<h2>{}</h2>\n<ul>\n",
            l.tools
        );
        for t in &p.tools.items {
            let purpose = t.purpose.as_str().trim();
            let _ = write!(out, "<li><strong>{}</strong>", lms::text(&t.name));
            if !purpose.is_empty() {
                let _ = write!(out, ": {}", lms::text(purpose));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</div>\n");
    }

    let a = &p.agreement;
    if !a.roles.is_empty() || !a.rules.is_empty() {
        let _ = write!(
            out,
            "<div class=\"section\" id=\"agreement\">\n<h2>{}</h2>\n",
            l.agreement
        );
        if !a.roles.is_empty() {
            let _ = write!(out, "<h3>{}</h3>\n<ul>\n", l.roles);
            for r in &a.roles {
                let _ = writeln!(
                    out,
                    "<li>{}: {}</li>",
                    lms::text(&member(&r.member_id)),
                    lms::text(r.role.as_str())
                );
            }
            out.push_str("</ul>\n");
        }
        if !a.rules.is_empty() {
            let _ = write!(out, "<h3>{}</h3>\n<ol>\n", l.rules);
            for r in &a.rules {
                let _ = writeln!(out, "<li>{}</li>", lms::text(r.text.as_str()));
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</div>\n");
    }

    let s = &p.sharing;
    let _ = write!(
        out,
        "<div class=\"section\" id=\"sharing\">\n<h2>{}</h2>\n",
        l.sharing
    );
    text(&mut out, l.presentation, s.presentation.as_str());
    text(&mut out, l.learned, s.reflection.learned.as_str());
    text(&mut out, l.went_well, s.reflection.went_well.as_str());
    text(
        &mut out,
        l.do_differently,
        s.reflection.do_differently.as_str(),
    );
    if s.reflection.stars > 0 {
        let stars = s.reflection.stars.min(5) as usize;
        let _ = writeln!(
            out,
            "<p>{}: <span aria-label=\"{stars}/5\">{}{}</span></p>",
            l.stars,
            "★".repeat(stars),
            "☆".repeat(5 - stars)
        );
    }
    out.push_str("</div>\n");

    voice_answers(&mut out, p, cx);

    if cx.include_feedback {
        if let Some(review) = &work.review {
            feedback(&mut out, work, review, l);
        }
    }

    let _ = write!(
        out,
        "<p class=\"footer\">{}</p>\n</body>\n</html>\n",
        l.made_with
    );
    out
}

/// The group's spoken answers: each field's name and its recording (or a note that it had
/// not reached the exporting device).
fn voice_answers(out: &mut String, p: &hugme_model::Project, cx: &PageContext<'_>) {
    let answers = p.voice_answers_shown();
    if answers.is_empty() {
        return;
    }
    let l = cx.labels;
    let _ = write!(
        out,
        "<div class=\"section\" id=\"voice\">\n<h2>{}</h2>\n",
        l.voice_answers
    );
    for answer in answers {
        let _ = writeln!(
            out,
            "<p><strong>{}</strong></p>",
            voice_field(p, &answer.field, l)
        );
        match (cx.media_href)(&answer.audio) {
            Some(href) => {
                let _ = writeln!(
                    out,
                    "<audio controls preload=\"none\" src=\"{}\">{}</audio>",
                    escape(&href),
                    l.no_audio
                );
            }
            None => {
                let _ = writeln!(out, "<p><em>{}</em></p>", l.missing_audio);
            }
        }
    }
    out.push_str("</div>\n");
}

/// The name of the field a spoken answer answers (`hugme_model::VoiceAnswer::field`).
fn voice_field(p: &hugme_model::Project, field: &str, l: &Labels) -> String {
    let simple = match field {
        "phenomenon.title" => Some(l.phenomenon),
        "phenomenon.why" => Some(l.why),
        "sharing.presentation" => Some(l.presentation),
        "reflection.learned" => Some(l.learned),
        "reflection.went_well" => Some(l.went_well),
        "reflection.do_differently" => Some(l.do_differently),
        _ => None,
    };
    if let Some(name) = simple {
        return name.to_owned();
    }
    let mut parts = field.split('.');
    let (kind, id, part) = (parts.next(), parts.next(), parts.next());
    if kind == Some("peer") {
        return l.peer_feedback.to_owned();
    }
    let question = p
        .research
        .questions
        .iter()
        .find(|q| Some(q.id.as_str()) == id)
        .map_or_else(String::new, |q| lms::text(q.question.as_str()));
    match part {
        Some("notes") => format!("{question} · {}", l.notes),
        Some("findings") => format!("{question} · {}", l.findings),
        _ => format!("{} · {question}", l.questions),
    }
}

fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", lms::text(p.trim()).replace('\n', "<br>")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn block(out: &mut String, block: &Block, cx: &PageContext<'_>) {
    let caption = |m: &MediaRef| {
        let c = m.caption.as_str().trim();
        if c.is_empty() {
            String::new()
        } else {
            format!(
                "<p class=\"caption\" style=\"color:#5b5566\">{}</p>",
                lms::text(c)
            )
        }
    };
    let size = |m: &MediaRef| match (m.width, m.height) {
        (Some(w), Some(h)) => format!(" width=\"{w}\" height=\"{h}\""),
        _ => String::new(),
    };
    let l = cx.labels;
    let (media, missing) = match &block.kind {
        BlockKind::Text { body } => {
            let _ = writeln!(out, "<div class=\"text\">{}</div>", markdown(body.as_str()));
            return;
        }
        BlockKind::Photo { media } => (media, l.missing_photo),
        BlockKind::Drawing { media } => (media, l.missing_drawing),
        BlockKind::Audio { media } => (media, l.missing_audio),
        BlockKind::Video { media } => (media, l.missing_video),
    };
    // Media hrefs are ours (a folder and a hash), never typed text.
    let Some(href) = (cx.media_href)(media) else {
        let _ = writeln!(
            out,
            "<div class=\"figure missing\"><p><em>{missing}</em></p>{}</div>",
            caption(media)
        );
        return;
    };
    let element = match &block.kind {
        BlockKind::Audio { .. } => format!(
            "<audio controls preload=\"none\" src=\"{}\">{}</audio>",
            escape(&href),
            l.no_audio
        ),
        BlockKind::Video { .. } => format!(
            "<video controls preload=\"metadata\" src=\"{}\"{}></video>",
            escape(&href),
            size(media)
        ),
        _ => format!(
            "<img src=\"{}\" alt=\"{}\"{} loading=\"lazy\" style=\"max-width:100%; height:auto\">",
            escape(&href),
            lms::attribute(media.caption.as_str()),
            size(media)
        ),
    };
    let _ = writeln!(
        out,
        "<div class=\"figure\">{element}{}</div>",
        caption(media)
    );
}

fn feedback(out: &mut String, work: &Work, review: &hugme_model::Review, l: &Labels) {
    let _ = write!(
        out,
        "<div class=\"section feedback\" id=\"feedback\" style=\"background-color:#fff7ef; \
         padding:4px 16px\">\n<h2>{}</h2>\n",
        l.feedback
    );
    let approval = match review.approval {
        Approval::Approved => l.approved,
        Approval::ReturnedForRevision => l.returned,
        Approval::NotReviewed => l.not_reviewed,
    };
    let _ = writeln!(out, "<p><strong>{}</strong></p>", approval);
    if !review.overall.as_str().trim().is_empty() {
        let _ = write!(
            out,
            "<h3>{}</h3>\n{}\n",
            l.overall,
            paragraphs(review.overall.as_str())
        );
    }
    if !review.comments.is_empty() {
        out.push_str("<ul>\n");
        for c in &review.comments {
            let about = match &c.pin {
                Pin::Step { step } => format!("{} ({})", l.about_step, step_name(*step, l)),
                Pin::Question { id } => {
                    let q = work.project.research.questions.iter().find(|q| &q.id == id);
                    format!(
                        "{}: {}",
                        l.about_question,
                        q.map_or("", |q| q.question.as_str())
                    )
                }
                Pin::Block { .. } => l.about_block.to_owned(),
            };
            let _ = writeln!(
                out,
                "<li><em>{}</em> — {}</li>",
                lms::text(&about),
                lms::text(c.text.as_str())
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</div>\n");
}

fn step_name(step: Step, l: &Labels) -> &'static str {
    match step {
        Step::Agreement => l.agreement,
        Step::Phenomenon => l.phenomenon,
        Step::Subjects => l.subjects,
        Step::Goals => l.goals,
        Step::ResearchQuestions => l.questions,
        Step::Tools => l.tools,
        Step::Content => l.content,
        Step::Sharing => l.sharing,
    }
}

/// One project on an index page: its group's name, its title, and the link to its page
/// (none in a cartridge, where the LMS lists the pages itself).
#[derive(Debug)]
pub struct Entry {
    pub group: String,
    pub title: String,
    pub href: Option<String>,
}

/// The first page: the portfolio's (a link to each project) or a cartridge's (section 0 of a
/// Moodle course: what the export holds, and when it was made, `dated` as YYYY-MM-DD), by
/// group. `unreadable`: the group names (or ids) of projects that could not be read.
pub fn index_page(
    class: &Class,
    labels: &Labels,
    entries: &[Entry],
    unreadable: &[String],
    dated: Option<&str>,
) -> String {
    let mut out = String::new();
    match dated {
        Some(_) => head(
            &mut out,
            labels,
            &format!("{}: {}", class.name.as_str(), labels.about_export),
        ),
        None => head(&mut out, labels, class.name.as_str()),
    }
    let _ = write!(
        out,
        "<h1>{}</h1>\n<h2>{}</h2>\n<ul>\n",
        lms::text(class.name.as_str()),
        labels.projects
    );
    for e in entries {
        let title = match &e.href {
            Some(href) => format!("<a href=\"{}\">{}</a>", escape(href), lms::text(&e.title)),
            None => lms::text(&e.title),
        };
        let _ = writeln!(
            out,
            "<li>{title} <span class=\"muted\" style=\"color:#5b5566\">— {}</span></li>",
            lms::text(&e.group)
        );
    }
    out.push_str("</ul>\n");
    if !unreadable.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", labels.unreadable);
        for what in unreadable {
            let _ = writeln!(out, "<li>{}</li>", lms::text(what));
        }
        out.push_str("</ul>\n");
    }
    match dated {
        Some(day) => {
            let _ = write!(
                out,
                "<p class=\"footer\">{} {}</p>\n</body>\n</html>\n",
                labels.exported_on,
                escape(day)
            );
        }
        None => {
            let _ = write!(
                out,
                "<p class=\"footer\">{}</p>\n</body>\n</html>\n",
                labels.made_with
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_markup_never_becomes_markup() {
        assert_eq!(
            markdown("# Puro <b>\nVesi on **kylmää** & <script>\n- kivi"),
            "<h3>Puro &lt;\u{2060}b&gt;</h3><p>Vesi on <strong>kylmää</strong> &amp; \
             &lt;\u{2060}script&gt;</p><ul><li>kivi</li></ul>"
        );
        assert_eq!(escape("\"'<>&"), "&quot;&#39;&lt;&gt;&amp;");
        assert_eq!(hex_colour("#A0b1c2"), "#A0b1c2");
        assert_eq!(hex_colour("red;background:url(x)"), "#5b5566");
    }
}
