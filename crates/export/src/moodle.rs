//! A Moodle course backup (`.mbz`, the "moodle2" format that Moodle's own restore reads): what
//! a teacher restores as a course whose sections are named by the groups.
//!
//! Moodle's converter of Common Cartridges never names sections (`backup/cc/cc2moodle.php`
//! writes none; `backup/converter/moodle1` leaves the name null), so a class exported as a
//! cartridge lands in "New section" after "New section". A backup names them: section 0 holds
//! the first page (what the export holds), then a section per group, named by the group,
//! holding a page per project ("Ketut: Metsä talvella"), its photos, sound and video attached
//! to the page (`@@PLUGINFILE@@/media/…`, listed in `files.xml` and stored by their SHA-1 under
//! `files/`). No users, grades, logs or settings of a site go in.
//!
//! The files and fields are those of a backup made by Moodle 4.5 (`admin/cli/backup.php`) with
//! the rest left out; a restore needs the few empty ones listed in [`EMPTY`]. Checked by hand
//! with `scripts/lms-check` (a real Moodle's `admin/cli/restore_backup.php`); the declared
//! version is Moodle 4.1's, which 4.1 to 5.x restore without a warning of a newer backup.

use std::fmt::Write;

use crate::html::escape as xml;

/// Moodle 4.1's version and release: the oldest Moodle schools still run, which restores it.
const MOODLE_VERSION: &str = "2022112800";
const MOODLE_RELEASE: &str = "4.1";

/// Files a restore requires that say nothing here: (path, XML body after the declaration).
const EMPTY: [(&str, &str); 10] = [
    ("roles.xml", "<roles_definition>\n</roles_definition>"),
    (
        "questions.xml",
        "<question_categories>\n</question_categories>",
    ),
    (
        "groups.xml",
        "<groups>\n  <groupcustomfields>\n  </groupcustomfields>\n  <groupings>\n    \
         <groupingcustomfields>\n    </groupingcustomfields>\n  </groupings>\n</groups>",
    ),
    ("scales.xml", "<scales_definition>\n</scales_definition>"),
    (
        "outcomes.xml",
        "<outcomes_definition>\n</outcomes_definition>",
    ),
    ("course/roles.xml", ROLES),
    ("course/filters.xml", FILTERS),
    ("course/comments.xml", "<comments>\n</comments>"),
    ("course/calendar.xml", "<events>\n</events>"),
    ("course/contentbank.xml", "<contents>\n</contents>"),
];
/// The same for each page activity, in its folder.
const ACTIVITY_EMPTY: [(&str, &str); 6] = [
    ("roles.xml", ROLES),
    ("filters.xml", FILTERS),
    ("comments.xml", "<comments>\n</comments>"),
    ("calendar.xml", "<events>\n</events>"),
    (
        "grades.xml",
        "<activity_gradebook>\n  <grade_items>\n  </grade_items>\n  <grade_letters>\n  \
         </grade_letters>\n</activity_gradebook>",
    ),
    ("xapistate.xml", "<states>\n</states>"),
];
const ROLES: &str = "<roles>\n  <role_overrides>\n  </role_overrides>\n  <role_assignments>\n  \
                     </role_assignments>\n</roles>";
const FILTERS: &str = "<filters>\n  <filter_actives>\n  </filter_actives>\n  <filter_configs>\n  \
                       </filter_configs>\n</filters>";

/// A page of the course: its section (0 for the first page), title and HTML.
#[derive(Debug)]
pub struct Page<'a> {
    pub section: usize,
    pub title: String,
    pub html: &'a str,
    /// Its media: (file name under `/media/`, SHA-1 in hex, size in bytes, MIME type).
    pub media: Vec<(String, String, u64, String)>,
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Ids in the backup: one range per kind, so that none is used twice.
fn module_id(i: usize) -> usize {
    i + 1
}
fn context_id(i: usize) -> usize {
    1000 + i
}
fn section_id(n: usize) -> usize {
    n + 1
}
const COURSE_CONTEXT: usize = 999;

/// Every XML file of the backup: (path in the archive, text). `sections` are the groups'
/// names (section 1 onwards); `pages` in course order; `time` the backup's time (s since the
/// epoch); `course` the course's name and `name` the backup file's.
pub fn files(
    course: &str,
    name: &str,
    sections: &[String],
    pages: &[Page<'_>],
    time: i64,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let title = crate::lms::title(course);
    out.push((
        "moodle_backup.xml".into(),
        backup(&title, name, sections, pages, time),
    ));
    out.push(("course/course.xml".into(), course_xml(&title, time)));
    out.push((
        "course/inforef.xml".into(),
        format!("{HEAD}<inforef>\n</inforef>"),
    ));
    for (path, body) in EMPTY {
        out.push((path.into(), format!("{HEAD}{body}")));
    }
    for n in 0..=sections.len() {
        let sequence: Vec<String> = pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.section == n)
            .map(|(i, _)| module_id(i).to_string())
            .collect();
        let name = match n {
            0 => "$@NULL@$".to_owned(),
            n => xml(&crate::lms::title(&sections[n - 1])),
        };
        let dir = format!("sections/section_{}", section_id(n));
        out.push((
            format!("{dir}/section.xml"),
            format!(
                "{HEAD}<section id=\"{}\">\n  <number>{n}</number>\n  <name>{name}</name>\n  \
                 <summary></summary>\n  <summaryformat>1</summaryformat>\n  <sequence>{}</sequence>\n  \
                 <visible>1</visible>\n  <availabilityjson>$@NULL@$</availabilityjson>\n  \
                 <component>$@NULL@$</component>\n  <itemid>$@NULL@$</itemid>\n  \
                 <timemodified>{time}</timemodified>\n</section>",
                section_id(n),
                sequence.join(",")
            ),
        ));
        out.push((
            format!("{dir}/inforef.xml"),
            format!("{HEAD}<inforef>\n</inforef>"),
        ));
    }
    let mut file_id = 0usize;
    let mut files_xml = format!("{HEAD}<files>\n");
    for (i, page) in pages.iter().enumerate() {
        let dir = format!("activities/page_{}", module_id(i));
        out.push((format!("{dir}/page.xml"), page_xml(i, page, time)));
        out.push((format!("{dir}/module.xml"), module_xml(i, page, time)));
        let mut inforef = format!("{HEAD}<inforef>\n  <fileref>\n");
        for (filename, sha1, size, mime) in &page.media {
            file_id += 1;
            let _ = write!(
                inforef,
                "    <file>\n      <id>{file_id}</id>\n    </file>\n"
            );
            let _ = write!(
                files_xml,
                "  <file id=\"{file_id}\">\n    <contenthash>{sha1}</contenthash>\n    \
                 <contextid>{}</contextid>\n    <component>mod_page</component>\n    \
                 <filearea>content</filearea>\n    <itemid>0</itemid>\n    \
                 <filepath>/media/</filepath>\n    <filename>{}</filename>\n    \
                 <userid>$@NULL@$</userid>\n    <filesize>{size}</filesize>\n    \
                 <mimetype>{}</mimetype>\n    <status>0</status>\n    \
                 <timecreated>{time}</timecreated>\n    <timemodified>{time}</timemodified>\n    \
                 <source>$@NULL@$</source>\n    <author>$@NULL@$</author>\n    \
                 <license>$@NULL@$</license>\n    <sortorder>0</sortorder>\n    \
                 <repositorytype>$@NULL@$</repositorytype>\n    \
                 <repositoryid>$@NULL@$</repositoryid>\n    <reference>$@NULL@$</reference>\n  \
                 </file>\n",
                context_id(i),
                xml(filename),
                xml(mime),
            );
        }
        inforef.push_str("  </fileref>\n</inforef>");
        out.push((format!("{dir}/inforef.xml"), inforef));
        for (file, body) in ACTIVITY_EMPTY {
            out.push((format!("{dir}/{file}"), format!("{HEAD}{body}")));
        }
    }
    files_xml.push_str("</files>");
    out.push(("files.xml".into(), files_xml));
    out
}

fn backup(title: &str, name: &str, sections: &[String], pages: &[Page<'_>], time: i64) -> String {
    let mut s = format!(
        "{HEAD}<moodle_backup>\n  <information>\n    <name>{}</name>\n    \
         <moodle_version>{MOODLE_VERSION}</moodle_version>\n    \
         <moodle_release>{MOODLE_RELEASE}</moodle_release>\n    \
         <backup_version>{MOODLE_VERSION}</backup_version>\n    \
         <backup_release>{MOODLE_RELEASE}</backup_release>\n    <backup_date>{time}</backup_date>\n    \
         <mnet_remoteusers>0</mnet_remoteusers>\n    <include_files>1</include_files>\n    \
         <include_file_references_to_external_content>0</include_file_references_to_external_content>\n    \
         <original_wwwroot>https://hugme.invalid</original_wwwroot>\n    \
         <original_site_identifier_hash>00000000000000000000000000000000</original_site_identifier_hash>\n    \
         <original_course_id>1</original_course_id>\n    \
         <original_course_format>topics</original_course_format>\n    \
         <original_course_fullname>{t}</original_course_fullname>\n    \
         <original_course_shortname>{t}</original_course_shortname>\n    \
         <original_course_startdate>{time}</original_course_startdate>\n    \
         <original_course_enddate>0</original_course_enddate>\n    \
         <original_course_contextid>{COURSE_CONTEXT}</original_course_contextid>\n    \
         <original_system_contextid>1</original_system_contextid>\n    <details>\n      \
         <detail backup_id=\"00000000000000000000000000000001\">\n        <type>course</type>\n        \
         <format>moodle2</format>\n        <interactive>1</interactive>\n        <mode>10</mode>\n        \
         <execution>1</execution>\n        <executiontime>0</executiontime>\n      </detail>\n    \
         </details>\n    <contents>\n      <activities>\n",
        xml(name),
        t = xml(title),
    );
    for (i, page) in pages.iter().enumerate() {
        let _ = write!(
            s,
            "        <activity>\n          <moduleid>{m}</moduleid>\n          \
             <sectionid>{}</sectionid>\n          <modulename>page</modulename>\n          \
             <title>{}</title>\n          <directory>activities/page_{m}</directory>\n          \
             <insubsection></insubsection>\n        </activity>\n",
            section_id(page.section),
            xml(&page.title),
            m = module_id(i),
        );
    }
    s.push_str("      </activities>\n      <sections>\n");
    for n in 0..=sections.len() {
        let _ = write!(
            s,
            "        <section>\n          <sectionid>{id}</sectionid>\n          <title>{n}</title>\n          \
             <directory>sections/section_{id}</directory>\n          <parentcmid></parentcmid>\n          \
             <modname></modname>\n        </section>\n",
            id = section_id(n),
        );
    }
    let _ = write!(
        s,
        "      </sections>\n      <course>\n        <courseid>1</courseid>\n        \
         <title>{}</title>\n        <directory>course</directory>\n      </course>\n    \
         </contents>\n    <settings>\n",
        xml(title)
    );
    let mut setting = |level: &str, owner: Option<(&str, String)>, name: String, value: &str| {
        let owner = owner.map_or(String::new(), |(tag, id)| {
            format!("        <{tag}>{id}</{tag}>\n")
        });
        let _ = write!(
            s,
            "      <setting>\n        <level>{level}</level>\n{owner}        <name>{name}</name>\n        \
             <value>{value}</value>\n      </setting>\n"
        );
    };
    setting("root", None, "filename".into(), &xml(name));
    for (name, value) in [
        ("imscc11", 0),
        ("users", 0),
        ("anonymize", 0),
        ("role_assignments", 0),
        ("activities", 1),
        ("blocks", 0),
        ("files", 1),
        ("filters", 0),
        ("comments", 0),
        ("badges", 0),
        ("calendarevents", 0),
        ("userscompletion", 0),
        ("logs", 0),
        ("grade_histories", 0),
        ("questionbank", 0),
        ("groups", 0),
        ("competencies", 0),
        ("customfield", 0),
        ("contentbankcontent", 0),
        ("xapistate", 0),
        ("legacyfiles", 0),
    ] {
        setting(
            "root",
            None,
            name.into(),
            if value == 1 { "1" } else { "0" },
        );
    }
    for n in 0..=sections.len() {
        let id = format!("section_{}", section_id(n));
        setting(
            "section",
            Some(("section", id.clone())),
            format!("{id}_included"),
            "1",
        );
        setting(
            "section",
            Some(("section", id.clone())),
            format!("{id}_userinfo"),
            "0",
        );
    }
    for i in 0..pages.len() {
        let id = format!("page_{}", module_id(i));
        setting(
            "activity",
            Some(("activity", id.clone())),
            format!("{id}_included"),
            "1",
        );
        setting(
            "activity",
            Some(("activity", id.clone())),
            format!("{id}_userinfo"),
            "0",
        );
    }
    s.push_str("    </settings>\n  </information>\n</moodle_backup>");
    s
}

fn course_xml(title: &str, time: i64) -> String {
    format!(
        "{HEAD}<course id=\"1\" contextid=\"{COURSE_CONTEXT}\">\n  <shortname>{t}</shortname>\n  \
         <fullname>{t}</fullname>\n  <idnumber></idnumber>\n  <summary></summary>\n  \
         <summaryformat>1</summaryformat>\n  <format>topics</format>\n  <showgrades>0</showgrades>\n  \
         <newsitems>0</newsitems>\n  <startdate>{time}</startdate>\n  <enddate>0</enddate>\n  \
         <marker>0</marker>\n  <maxbytes>0</maxbytes>\n  <legacyfiles>0</legacyfiles>\n  \
         <showreports>0</showreports>\n  <visible>1</visible>\n  <groupmode>0</groupmode>\n  \
         <groupmodeforce>0</groupmodeforce>\n  <defaultgroupingid>0</defaultgroupingid>\n  \
         <lang></lang>\n  <theme></theme>\n  <timecreated>{time}</timecreated>\n  \
         <timemodified>{time}</timemodified>\n  <requested>0</requested>\n  \
         <showactivitydates>0</showactivitydates>\n  <showcompletionconditions>0</showcompletionconditions>\n  \
         <pdfexportfont>$@NULL@$</pdfexportfont>\n  <enablecompletion>0</enablecompletion>\n  \
         <completionnotify>0</completionnotify>\n  <category id=\"1\">\n    <name></name>\n    \
         <description>$@NULL@$</description>\n  </category>\n  <tags>\n  </tags>\n  \
         <customfields>\n  </customfields>\n  <courseformatoptions>\n  </courseformatoptions>\n</course>",
        t = xml(title),
    )
}

fn page_xml(i: usize, page: &Page<'_>, time: i64) -> String {
    format!(
        "{HEAD}<activity id=\"{m}\" moduleid=\"{m}\" modulename=\"page\" contextid=\"{c}\">\n  \
         <page id=\"{m}\">\n    <name>{}</name>\n    <intro></intro>\n    <introformat>1</introformat>\n    \
         <content>{}</content>\n    <contentformat>1</contentformat>\n    <legacyfiles>0</legacyfiles>\n    \
         <legacyfileslast>$@NULL@$</legacyfileslast>\n    <display>5</display>\n    \
         <displayoptions>a:1:{{s:10:\"printintro\";i:0;}}</displayoptions>\n    <revision>1</revision>\n    \
         <timemodified>{time}</timemodified>\n  </page>\n</activity>",
        xml(&page.title),
        xml(page.html),
        m = module_id(i),
        c = context_id(i),
    )
}

fn module_xml(i: usize, page: &Page<'_>, time: i64) -> String {
    format!(
        "{HEAD}<module id=\"{}\" version=\"2022112800\">\n  <modulename>page</modulename>\n  \
         <sectionid>{}</sectionid>\n  <sectionnumber>{}</sectionnumber>\n  <idnumber></idnumber>\n  \
         <added>{time}</added>\n  <score>0</score>\n  <indent>0</indent>\n  <visible>1</visible>\n  \
         <visibleoncoursepage>1</visibleoncoursepage>\n  <visibleold>1</visibleold>\n  \
         <groupmode>0</groupmode>\n  <groupingid>0</groupingid>\n  <completion>0</completion>\n  \
         <completiongradeitemnumber>$@NULL@$</completiongradeitemnumber>\n  \
         <completionpassgrade>0</completionpassgrade>\n  <completionview>0</completionview>\n  \
         <completionexpected>0</completionexpected>\n  <availability>$@NULL@$</availability>\n  \
         <showdescription>0</showdescription>\n  <downloadcontent>1</downloadcontent>\n  \
         <lang>$@NULL@$</lang>\n  <tags>\n  </tags>\n</module>",
        module_id(i),
        section_id(page.section),
        page.section,
    )
}
