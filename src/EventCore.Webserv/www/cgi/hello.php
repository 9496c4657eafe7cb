<?php
$name = htmlspecialchars($_GET['name'] ?? 'world');
?>
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PHP</title><link rel="stylesheet" href="/style.css"></head>
<body><h1>Hello, <?= $name ?>, from PHP <?= PHP_VERSION ?></h1>
<p>Method <?= htmlspecialchars($_SERVER['REQUEST_METHOD']) ?>, script <?= htmlspecialchars($_SERVER['SCRIPT_NAME']) ?>.</p>
<form method="post"><input name="message" placeholder="say something"><button>POST</button></form>
<?php if (isset($_POST['message'])): ?><p>You said: <?= htmlspecialchars($_POST['message']) ?></p><?php endif; ?>
</body></html>
