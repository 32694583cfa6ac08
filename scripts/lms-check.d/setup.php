<?php
// Post-install tweaks for screenshots (idempotent): switch off user tours, whose
// "Activate edit mode" pop-up would cover the course page.
// Usage: php setup.php MOODLE_ROOT
define('CLI_SCRIPT', true);
require($argv[1] . '/config.php');
$DB->set_field('tool_usertours_tours', 'enabled', 0);
\tool_usertours\cache::notify_tour_change();
echo "user tours disabled\n";
