//! Where an unquoted value ends: a password's `&` or `;` is part of it; what closes its
//! context is not.

use super::*;

#[test]
fn an_unquoted_password_keeps_its_punctuation() {
    assert_redacts(&[
        ("DB_PASS=S3cr3t&Pass", "DB_PASS=[REDACTED:password-assignment-1]"),
        ("--password=S3cr3t;Pass", "--password=[REDACTED:password-flag-1]"),
        ("--password S3cr3t;Pass x", "--password [REDACTED:password-flag-1] x"),
        ("DB_PASSWORD=Xy9&Zz;Qq,a)b", "DB_PASSWORD=[REDACTED:password-assignment-1]"),
        ("echo 'password=Tr0ub4dor&3x'", "echo 'password=[REDACTED:password-assignment-1]'"),
        ("sh -c \"DB_PASS=a;b&c\" x", "sh -c \"DB_PASS=[REDACTED:password-assignment-1]\" x"),
        (
            "f(password=a(b)c) {password=a}",
            "f(password=[REDACTED:password-assignment-1]) {password=[REDACTED:password-assignment-2]}",
        ),
        ("map[password:hunter2]", "map[password:[REDACTED:password-assignment-1]]"),
        // A list, a statement or a connection string goes on after it.
        ("password=x1, user=bob", "password=[REDACTED:password-assignment-1], user=bob"),
        ("export PASSWORD=x1; echo ok", "export PASSWORD=[REDACTED:password-assignment-1]; echo ok"),
        ("export PASSWORD=x1;", "export PASSWORD=[REDACTED:password-assignment-1];"),
        (
            "Server=db;Password=x1;Database=app;Data Source=y",
            "Server=db;Password=[REDACTED:password-assignment-1];Database=app;Data Source=y",
        ),
        ("password=x1,user=bob", "password=[REDACTED:password-assignment-1],user=bob"),
        // Query strings: `&` ends a value, and the next one is found too.
        ("https://x/?token=abc123xyz&user=bob", "https://x/?token=[REDACTED:secret-assignment-1]&user=bob"),
        ("/cb?code=1&token=abc123xyz&x", "/cb?code=1&token=[REDACTED:secret-assignment-1]&x"),
        (
            "api_key=abc123&token=Zq9xYw8v",
            "api_key=[REDACTED:secret-assignment-1]&token=[REDACTED:secret-assignment-2]",
        ),
        ("{\\\"cmd\\\":\\\"DB_PASS=abc123\\\"}", "{\\\"cmd\\\":\\\"DB_PASS=[REDACTED:password-assignment-1]\\\"}"),
    ]);
}

#[test]
fn a_known_password_with_punctuation_is_found_again_whole() {
    let rules = Rules::builtin();
    let mut numbering = Numbering::with_key(KEY);
    let first = Redactor::new(rules, &mut numbering).redact("password=Tr0ub4dor&3x DB_PASSWORD=Xy9&Zz;Qq\n");
    assert_eq!(first, "password=[REDACTED:password-assignment-1] DB_PASSWORD=[REDACTED:password-assignment-2]\n");
    let later = Redactor::new(rules, &mut numbering).redact("tried Tr0ub4dor&3x, then (Xy9&Zz;Qq).\n");
    assert_eq!(later, "tried [REDACTED:password-assignment-1], then ([REDACTED:password-assignment-2]).\n");
}

#[test]
fn a_shell_escaped_password_and_its_output_share_a_placeholder() {
    let step = "command: sh -c 'echo DB_PASSWORD=Xy9\\&Zz\\;Qq'\n$ sh -c 'echo DB_PASSWORD=Xy9\\&Zz\\;Qq'\nDB_PASSWORD=Xy9&Zz;Qq\n";
    let (out, _) = redact(step);
    assert_eq!(
        out,
        "command: sh -c 'echo DB_PASSWORD=[REDACTED:password-assignment-1]'\n$ sh -c 'echo DB_PASSWORD=[REDACTED:password-assignment-1]'\nDB_PASSWORD=[REDACTED:password-assignment-1]\n"
    );
}

#[test]
fn a_json_escape_after_a_key_is_no_value() {
    assert_redacts(&[
        (r#"{"data":{"c":"auth:\n  user: bob\n"}}"#, r#"{"data":{"c":"auth:\n  user: bob\n"}}"#),
        (r#"{"c":"token:\t\tx","d":"password=\r\n"}"#, r#"{"c":"token:\t\tx","d":"password=\r\n"}"#),
        (r#"{"c":"--password=\nx"}"#, r#"{"c":"--password=\nx"}"#),
        // A value after the key still goes, and one holding a backslash elsewhere.
        (r#"{"c":"auth: Zq9xYw8v x"}"#, r#"{"c":"auth: [REDACTED:secret-assignment-1] x"}"#),
        (r"password=ab\ncd", r"password=[REDACTED:password-assignment-1]"),
    ]);
}

#[test]
fn a_known_secret_starting_with_punctuation_is_found_again() {
    let rules = Rules::builtin();
    let mut numbering = Numbering::with_key(KEY);
    let first = Redactor::new(rules, &mut numbering).redact(
        "--password ';Xy9zQ7w' --from-literal=k=,Vq4nR8tP {\"password\": \"{Hk3mZ9qL\"} --api-key '[Zz8kLm2q'\n",
    );
    assert_eq!(
        first,
        "--password '[REDACTED:password-flag-1]' --from-literal=k=[REDACTED:k8s-secret-literal-1] {\"password\": \"[REDACTED:password-assignment-1]\"} --api-key '[REDACTED:secret-flag-1]'\n"
    );
    let later =
        Redactor::new(rules, &mut numbering).redact("tried ;Xy9zQ7w, then (,Vq4nR8tP) and x={Hk3mZ9qL [Zz8kLm2q.\n");
    assert_eq!(
        later,
        "tried [REDACTED:password-flag-1], then ([REDACTED:k8s-secret-literal-1]) and x=[REDACTED:password-assignment-1] [REDACTED:secret-flag-1].\n"
    );
    // On the line that gives it, too.
    let (same, _) = redact("--password ';Xy9zQ7w' && echo ;Xy9zQ7w\n");
    assert_eq!(same, "--password '[REDACTED:password-flag-1]' && echo [REDACTED:password-flag-1]\n");
    // Only the secret: not a shorter or longer piece, nor other words after the same marks.
    let keep = "(;Xy9zQ7 ;Xy9zQ7wx ;abc (default) [Zz8kLm2 Xy9zQ7w\n";
    assert_eq!(Redactor::new(rules, &mut numbering).redact(keep), keep);
}
