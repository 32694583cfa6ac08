<?php
// Import one IMS Common Cartridge into a NEW Moodle course, the way the
// restore UI does it (backup/restorefile.php -> backup/restore.php):
//   extract zip into $CFG->tempdir/backup/<name>  (restore_ui_stage_confirm::extract_file_to_dir)
//   restore_dbops::create_new_course()            (restore_ui_stage_destination::process)
//   new restore_controller(..., TARGET_NEW_COURSE); status REQUIRE_CONV -> $rc->convert()
//   (convert_helper::to_moodle2_format via imscc11 converter), then precheck + plan.
// Usage: php import.php MOODLE_ROOT CARTRIDGE JSON_OUT
define('CLI_SCRIPT', true);
[$self, $moodleroot, $file, $jsonout] = $argv + [null, null, null, null];
if (!$moodleroot || !$file || !$jsonout) {
    fwrite(STDERR, "usage: php import.php MOODLE_ROOT CARTRIDGE JSON_OUT\n");
    exit(2);
}
$file = realpath($file);
require($moodleroot . '/config.php');
require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');
require_once($CFG->dirroot . '/backup/util/helper/convert_helper.class.php');

$admin = get_admin();
\core\session\manager::set_user($admin);

$tmpname = restore_controller::get_tempdir_name(context_system::instance()->id, $admin->id);
$backuptempdir = make_backup_temp_directory('', false);
$fb = get_file_packer('application/vnd.moodle.backup');
if (!$fb->extract_to_pathname($file, $backuptempdir . '/' . $tmpname . '/')) {
    fwrite(STDERR, "could not extract $file\n");
    exit(1);
}
$format = backup_general_helper::detect_backup_format($tmpname);
echo "file:     $file\nformat:   $format\n";
if ($format === backup::FORMAT_UNKNOWN) {
    fwrite(STDERR, "Moodle does not recognise this file's format (FORMAT_UNKNOWN)\n");
    exit(3);
}

$category = core_course_category::get_default();
[$fullname, $shortname] = restore_dbops::calculate_course_names(0,
    get_string('restoringcourse', 'backup'), get_string('restoringcourseshortname', 'backup'));
$courseid = restore_dbops::create_new_course($fullname, $shortname, $category->id);
$done = false;
register_shutdown_function(function() use (&$done, $courseid) {
    // The CC converter die()s on some errors: don't leave an empty course behind.
    if (!$done) {
        fwrite(STDERR, "import failed: deleting empty course $courseid\n");
        delete_course($courseid, false);
    }
});

$rc = new restore_controller($tmpname, $courseid, backup::INTERACTIVE_NO, backup::MODE_GENERAL,
    $admin->id, backup::TARGET_NEW_COURSE);
if ($rc->get_status() == backup::STATUS_REQUIRE_CONV) {
    // The CC converter loads its XSLT-like sheets by paths relative to the current
    // directory ('cc/sheets/base.xml'); in the UI the cwd is $CFG->dirroot/backup
    // (backup/restore.php), so do the same here.
    chdir($CFG->dirroot . '/backup');
    $rc->convert();
}
if (!$rc->execute_precheck()) {
    $res = $rc->get_precheck_results();
    fwrite(STDERR, "precheck failed: " . json_encode($res) . "\n");
    if (!empty($res['errors'])) {
        exit(4);
    }
}
$rc->execute_plan();
$rc->destroy();
$done = true;

// Report from the DB.
$course = $DB->get_record('course', ['id' => $courseid], '*', MUST_EXIST);
$out = ['file' => $file, 'format' => $format, 'courseid' => (int)$courseid,
    'fullname' => $course->fullname, 'shortname' => $course->shortname,
    'summary' => $course->summary, 'courseformat' => $course->format,
    'sections' => [], 'modules' => []];
echo "courseid: $courseid\nfullname: {$course->fullname}\nshortname: {$course->shortname}\n";
echo "format:   {$course->format}\nsummary:  " . json_encode($course->summary, JSON_UNESCAPED_UNICODE) . "\n";
$sections = $DB->get_records('course_sections', ['course' => $courseid], 'section');
$secbyid = [];
echo "sections:\n";
foreach ($sections as $s) {
    $secbyid[$s->id] = $s->section;
    $out['sections'][] = ['section' => (int)$s->section, 'name' => $s->name, 'summary' => $s->summary,
        'visible' => (int)$s->visible];
    printf("  [%d] name=%s summary=%s\n", $s->section, json_encode($s->name, JSON_UNESCAPED_UNICODE),
        json_encode($s->summary, JSON_UNESCAPED_UNICODE));
}
$modinfo = get_fast_modinfo($courseid);
echo "modules:\n";
foreach ($modinfo->get_cms() as $cm) {
    $m = ['cmid' => (int)$cm->id, 'modname' => $cm->modname, 'name' => $cm->name,
        'section' => (int)$cm->sectionnum, 'instance' => (int)$cm->instance];
    if ($cm->modname === 'page') {
        $page = $DB->get_record('page', ['id' => $cm->instance]);
        $m['content'] = $page->content;
        $m['contentformat'] = (int)$page->contentformat;
    }
    $fs = get_file_storage();
    $files = $fs->get_area_files($cm->context->id, 'mod_' . $cm->modname, 'content', false, 'filepath, filename', false);
    $m['files'] = array_values(array_map(fn($f) => $f->get_filepath() . $f->get_filename(), $files));
    $out['modules'][] = $m;
    printf("  cm=%d section=%d %s %s files=%d\n", $cm->id, $cm->sectionnum, $cm->modname,
        json_encode($cm->name, JSON_UNESCAPED_UNICODE), count($m['files']));
}
file_put_contents($jsonout, json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES));
