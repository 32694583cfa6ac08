<?php
// Delete courses by id: php delete-courses.php MOODLE_ROOT ID...
define('CLI_SCRIPT', true);
require($argv[1] . '/config.php');
foreach (array_slice($argv, 2) as $id) {
    if ($c = $DB->get_record('course', ['id' => (int)$id])) {
        delete_course($c, false);
        echo "deleted course $id ({$c->fullname})\n";
    }
}
