//! The `imsmanifest.xml` of an IMS Common Cartridge 1.1 or 1.3: first a page saying what the
//! export holds, then a module (folder) per group holding its projects, each project a
//! `webcontent` resource.
//!
//! Laid out for how LMSs import, not only for the schema. Moodle's converter
//! (`backup/cc/cc2moodle.php`) makes each top-level item a course section numbered from 0 and
//! never names sections (a title-only item's title becomes the section's summary): so the
//! first item is a module holding the "about" page, which fills section 0 ("General"), and
//! the groups start at section 1, each with its name as the summary; each project item is titled with its group
//! ("Ketut: Metsä talvella") so that a merge into an existing course stays readable. Titles
//! pass through [`lms::title`]. In 1.1 a project's resource lists its page and its media
//! (Moodle copies only listed files); in 1.3, as Canvas itself writes cartridges, the page is
//! in `wiki_content/` and each media file is a `webcontent` resource of its own.
//!
//! Moodle recognises a cartridge only if the manifest's default `xmlns` stands in its first
//! 500 bytes, so the root element comes right after the XML declaration with `xmlns` first.
//! Identifiers are `xs:ID`s (NCNames): a letter, then the id's letters, digits and hyphens.

use std::fmt::Write;

use crate::collect::Portfolio;
use crate::html::escape as xml;
use crate::labels::Labels;
use crate::lms;
use crate::package::Planned;

/// The two cartridge versions we write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// 1.1: what Moodle imports (it reads only 1.0 and 1.1).
    Cc11,
    /// 1.3: Canvas, Brightspace, Blackboard, itslearning.
    Cc13,
}

impl Version {
    fn tag(self) -> &'static str {
        match self {
            Version::Cc11 => "v1p1",
            Version::Cc13 => "v1p3",
        }
    }

    fn schema_version(self) -> &'static str {
        match self {
            Version::Cc11 => "1.1.0",
            Version::Cc13 => "1.3.0",
        }
    }
}

/// Where the cartridge's first page (what the export holds) is in the zip.
pub fn about_path(version: Version) -> &'static str {
    match version {
        Version::Cc11 => "web_resources/about.html",
        Version::Cc13 => "wiki_content/about.html",
    }
}

/// An `xs:ID` from a prefix and an id (ids are UUIDs, but any text is made safe).
pub fn identifier(prefix: &str, id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}-{safe}")
}

/// The manifest. `title` names the cartridge (the class, or the one project).
pub fn manifest(
    version: Version,
    portfolio: &Portfolio,
    planned: &[Planned],
    title: &str,
    labels: &Labels,
) -> String {
    let v = version.tag();
    let ns = format!("http://www.imsglobal.org/xsd/imscc{v}/imscp_v1p1");
    let lom = format!("http://ltsc.ieee.org/xsd/imscc{v}/LOM/manifest");
    let profile = format!("http://www.imsglobal.org/profile/cc/cc{v}");
    let lom_xsd = match version {
        Version::Cc11 => format!("{profile}/LOM/cc{v}_lommanifest_v1p0.xsd"),
        Version::Cc13 => format!("{profile}/LOM/cc{v}_lommanifest_v1p0.xsd"),
    };
    let language = xml(&portfolio.class.settings.language);
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <manifest xmlns=\"{ns}\" identifier=\"{}\" \
         xmlns:lomimscc=\"{lom}\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"{ns} {profile}/cc{v}_imscp_v1p2_v1p0.xsd {lom} {lom_xsd}\">\n",
        identifier("hugme", portfolio.class.id.as_str()),
    );
    let _ = write!(
        out,
        "  <metadata>\n    <schema>IMS Common Cartridge</schema>\n    <schemaversion>{}</schemaversion>\n\
         \x20   <lomimscc:lom>\n      <lomimscc:general>\n\
         \x20       <lomimscc:title><lomimscc:string language=\"{language}\">{}</lomimscc:string></lomimscc:title>\n\
         \x20       <lomimscc:language>{language}</lomimscc:language>\n\
         \x20       <lomimscc:description><lomimscc:string language=\"{language}\">{}</lomimscc:string></lomimscc:description>\n\
         \x20     </lomimscc:general>\n",
        version.schema_version(),
        xml(&lms::title(title)),
        xml(&lms::title(&format!(
            "Hug me! Studio: {}",
            portfolio.class.name.as_str()
        ))),
    );
    if version == Version::Cc13 {
        // The CC 1.3 LOM profile fixes these vocabularies: the cartridge is an "IMS Common
        // Cartridge" for learners, at school.
        out.push_str(
            "      <lomimscc:educational>\n\
             \x20       <lomimscc:learningResourceType><lomimscc:value>IMS Common Cartridge</lomimscc:value></lomimscc:learningResourceType>\n\
             \x20       <lomimscc:intendedEndUserRole><lomimscc:source>IMSGLC_CC_Rolesv1p2</lomimscc:source><lomimscc:value>Learner</lomimscc:value></lomimscc:intendedEndUserRole>\n\
             \x20       <lomimscc:context><lomimscc:source>LOMv1.0</lomimscc:source><lomimscc:value>school</lomimscc:value></lomimscc:context>\n\
             \x20     </lomimscc:educational>\n",
        );
    }
    out.push_str("    </lomimscc:lom>\n  </metadata>\n");

    out.push_str(
        "  <organizations>\n    <organization identifier=\"org\" structure=\"rooted-hierarchy\">\n      <item identifier=\"root\">\n",
    );
    // In a module of its own: Canvas (and its cartridge viewer) makes every item under the
    // root a module, and shows a page only inside one.
    let about = xml(&lms::title(labels.about_export));
    let _ = write!(
        out,
        "        <item identifier=\"m-about\">\n          <title>{about}</title>\n\
         \x20         <item identifier=\"i-about\" identifierref=\"r-about\">\n            <title>{about}</title>\n          </item>\n        </item>\n"
    );
    // A module per group, in the class's order (planned is sorted so).
    let mut i = 0;
    while i < planned.len() {
        let group = &planned[i].group_id;
        let _ = write!(
            out,
            "        <item identifier=\"{}\">\n          <title>{}</title>\n",
            identifier("g", group),
            xml(&lms::title(&planned[i].group_name))
        );
        while i < planned.len() && &planned[i].group_id == group {
            let p = &planned[i];
            let titled = if p.group_name.trim().is_empty() {
                p.title.clone()
            } else {
                format!("{}: {}", p.group_name.trim(), p.title)
            };
            let _ = write!(
                out,
                "          <item identifier=\"{}\" identifierref=\"{}\">\n            <title>{}</title>\n          </item>\n",
                identifier("i", &p.project_id),
                identifier("r", &p.project_id),
                xml(&lms::title(&titled))
            );
            i += 1;
        }
        out.push_str("        </item>\n");
    }
    out.push_str("      </item>\n    </organization>\n  </organizations>\n  <resources>\n");
    let about = xml(about_path(version));
    let _ = write!(
        out,
        "    <resource identifier=\"r-about\" type=\"webcontent\" href=\"{about}\">\n      <file href=\"{about}\"/>\n    </resource>\n"
    );
    for p in planned {
        let page = xml(&p.page_path);
        let _ = write!(
            out,
            "    <resource identifier=\"{}\" type=\"webcontent\" href=\"{page}\">\n      <file href=\"{page}\"/>\n",
            identifier("r", &p.project_id),
        );
        if version == Version::Cc11 {
            for m in &p.media {
                let _ = writeln!(
                    out,
                    "      <file href=\"{}/{}\"/>",
                    xml(&p.media_dir),
                    xml(&m.name)
                );
            }
        }
        out.push_str("    </resource>\n");
        if version == Version::Cc13 {
            for m in &p.media {
                let file = xml(&format!("{}/{}", p.media_dir, m.name));
                let _ = write!(
                    out,
                    "    <resource identifier=\"{}\" type=\"webcontent\" href=\"{file}\">\n      <file href=\"{file}\"/>\n    </resource>\n",
                    identifier("f", &format!("{}-{}", p.project_id, m.hash)),
                );
            }
        }
    }
    out.push_str("  </resources>\n</manifest>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_ncnames() {
        assert_eq!(identifier("r", "1a2b-3c"), "r-1a2b-3c");
        assert_eq!(identifier("g", "a:b c"), "g-a_b_c");
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
