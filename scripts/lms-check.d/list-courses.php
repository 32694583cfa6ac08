<?php
define('CLI_SCRIPT', true);
require($argv[1] . '/config.php');
foreach ($DB->get_records_select('course', 'id > 1', null, 'id') as $c) echo "$c->id\t$c->shortname\t$c->fullname\n";
