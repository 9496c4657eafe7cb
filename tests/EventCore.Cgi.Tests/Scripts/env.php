<?php
header('Content-Type: application/json');
echo json_encode([
    'server' => $_SERVER,
    'get' => $_GET,
    'post' => $_POST,
    'input' => file_get_contents('php://input'),
]);
