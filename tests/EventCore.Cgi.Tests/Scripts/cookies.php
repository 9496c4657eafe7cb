<?php
setcookie('first', 'one');
setcookie('second', 'two');
header('X-Script: php');
echo "cookies set";
