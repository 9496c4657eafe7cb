<?php
header('Location: /somewhere');
