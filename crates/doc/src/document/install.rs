//! Installation, verification and day-2 operations: the commands for the
//! plan's platform, with the files pgplan renders for it.

use pgplan_core::{Platform, RoleName, SecretSource};

use super::Sections;
use super::access::grant_object;
use crate::facts::Facts;
use crate::markdown::{Step, Table, code, text};
use crate::{DocOptions, Lang, Rendered, Target};

/// A word as bash reads it: bare when it is plain, else single-quoted.
///
/// ```text
/// sh_word("phonebill-rg") == "phonebill-rg"
/// sh_word("a b") == "'a b'"
/// ```
pub(crate) fn sh_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The targets pgplan renders for the plan's platform, as rendered or as
/// they would be.
fn targets(f: &Facts<'_>, opts: &DocOptions) -> Vec<Rendered> {
    if !opts.rendered.is_empty() {
        return opts.rendered.clone();
    }
    let mut out = vec![Target::Sql];
    match &f.plan.platform {
        Platform::Kubernetes(_) => out.push(Target::Kubernetes),
        Platform::Azure(_) => out.push(Target::Azure),
        // A single server renders its postgresql.conf and pg_hba.conf, a
        // Patroni cluster its Patroni, etcd and HAProxy files.
        Platform::Local(_) => out.push(Target::Ha),
    }
    out.into_iter()
        .map(|target| Rendered {
            target,
            files: Vec::new(),
            items: Vec::new(),
        })
        .collect()
}

/// A DSN for the plan's server as the administrator, without a password.
fn dsn(f: &Facts<'_>) -> String {
    let (host, port) = f.primary_host();
    let plan = f.plan;
    let (user, tls) = match &plan.platform {
        Platform::Azure(a) => (a.administrator_login.to_string(), "?sslmode=verify-full"),
        _ if plan.security.tls.required => ("postgres".into(), "?sslmode=require"),
        _ => ("postgres".into(), ""),
    };
    format!("postgresql://{user}@{host}:{port}/postgres{tls}")
}

fn plain_role(name: &RoleName) -> Option<&str> {
    (!name.needs_quoting()).then_some(name.as_str())
}

pub(super) fn installation(s: &mut Sections, f: &Facts<'_>, opts: &DocOptions) {
    let plan = f.plan;
    let lang = s.lang;
    let file = sh_word(&opts.plan_file);
    s.section("Installation", "설치 절차");
    s.sub("Prerequisites", "사전 준비 사항");
    let mut pre = Vec::new();
    match &plan.platform {
        Platform::Kubernetes(k) => {
            let mut cmds = vec!["kubectl get nodes".to_owned()];
            if let Some(sc) = &k.storage_class {
                cmds.push(format!("kubectl get storageclass {}", sh_word(sc.as_str())));
            }
            cmds.push(format!(
                "kubectl auth can-i create statefulsets --namespace {}",
                sh_word(k.namespace.as_str())
            ));
            pre.push(Step::with_code(
                text(s.pick(
                    "The cluster is reachable, the storage class exists and you may create the objects:",
                    "클러스터 접근, 스토리지 클래스, 생성 권한을 확인합니다:",
                )),
                "bash",
                cmds.join("\n"),
            ));
        }
        Platform::Azure(a) => {
            let mut cmds = vec![
                "az login".to_owned(),
                "az account show --query name --output tsv".to_owned(),
                format!(
                    "az group show --name {} --query location --output tsv",
                    sh_word(a.resource_group.as_str())
                ),
            ];
            if let Some(p) = &a.network.private {
                cmds.push(format!(
                    "az network vnet subnet show --resource-group {} --vnet-name {} --name {} --query delegations",
                    sh_word(a.resource_group.as_str()),
                    sh_word(p.vnet.as_ref()),
                    sh_word(p.subnet.as_ref())
                ));
            }
            pre.push(Step::with_code(
                text(s.pick(
                    "Signed in to the subscription; the resource group and the delegated subnet exist:",
                    "구독에 로그인하고 리소스 그룹과 위임된 서브넷을 확인합니다:",
                )),
                "bash",
                cmds.join("\n"),
            ));
        }
        Platform::Local(_) => {
            let major = plan.version.get();
            pre.push(Step::with_code(
                text(s.pick(
                    "PostgreSQL's binaries and psql are installed (Debian's postgresql package of the plan's version):",
                    "계획 버전의 PostgreSQL 바이너리와 psql이 설치되어 있는지 확인합니다 (Debian postgresql 패키지):",
                )),
                "bash",
                format!("/usr/lib/postgresql/{major}/bin/postgres --version\npsql --version"),
            ));
            if plan.topology.patroni.is_some() {
                let mut packages = vec![
                    "jq",
                    "patroni",
                    "etcd-server",
                    "etcd-client",
                    "haproxy",
                    "python3-etcd",
                    "python3-psycopg2",
                ];
                let mut checks = vec!["patroni --version", "etcd --version", "haproxy -v"];
                if plan.monitoring.exporter.is_some() {
                    packages.push("prometheus-postgres-exporter");
                    checks.push("prometheus-postgres-exporter --version");
                }
                pre.push(Step::with_code(
                    text(s.pick(
                        "Patroni, etcd, HAProxy and the exporter are installed (pgplan up names any that is missing with its package):",
                        "Patroni, etcd, HAProxy, exporter가 설치되어 있어야 합니다 (없으면 pgplan up이 패키지 이름과 함께 알려줍니다):",
                    )),
                    "bash",
                    format!("apt-get install {}\n{}", packages.join(" "), checks.join("\n")),
                ));
            }
        }
    }
    let secrets: Vec<String> = secret_sources(f, lang);
    if !secrets.is_empty() {
        let intro = text(s.pick(
            "The secrets the plan names exist (pgplan reads them at apply time; their values appear nowhere):",
            "계획이 지정한 시크릿이 준비되어 있어야 합니다 (pgplan이 적용 시점에 읽으며 값은 어디에도 기록되지 않습니다):",
        ));
        pre.push(Step::new(format!("{intro}\n{}", indent_bullets(&secrets))));
    }
    pre.push(Step::with_code(
        text(s.pick("The plan validates:", "계획 검증:")),
        "bash",
        format!("pgplan validate {file}"),
    ));
    s.w.steps(pre);

    s.sub("Installation steps", "설치 단계");
    let mut steps = Vec::new();
    for r in targets(f, opts) {
        let out = format!("out/{}", r.target.flag());
        let mut md = match lang {
            Lang::En => format!(
                "Render the {} artifacts into {}",
                target_label(r.target, lang),
                code(&out)
            ),
            Lang::Ko => format!(
                "{} 산출물을 {}에 생성합니다",
                target_label(r.target, lang),
                code(&out)
            ),
        };
        if !r.files.is_empty() {
            let files: Vec<String> = r.files.iter().map(|x| code(x)).collect();
            md.push_str(&format!(" ({})", files.join(", ")));
        }
        md.push(':');
        steps.push(Step::with_code(
            md,
            "bash",
            format!(
                "pgplan render {file} --target {} --out {out}",
                r.target.flag()
            ),
        ));
    }
    let sql_apply = format!(
        "pgplan diff {file} --dsn {dsn}\npgplan apply {file} --target sql --dsn {dsn} --yes",
        dsn = sh_word(&dsn(f))
    );
    match &plan.platform {
        Platform::Kubernetes(k) => {
            let ns = sh_word(k.namespace.as_str());
            steps.push(Step::with_code(
                text(s.pick(
                    "Check the objects with a server-side dry run (the API server admits them and stores nothing):",
                    "서버 측 dry run으로 오브젝트를 검사합니다 (API 서버가 검증만 하고 저장하지 않음):",
                )),
                "bash",
                format!("pgplan apply {file} --target k8s --dry-run"),
            ));
            let base = f.k8s.as_ref().map(|n| n.base.clone()).unwrap_or_default();
            steps.push(Step::with_code(
                text(s.pick(
                    "Apply them in order and wait for the StatefulSet to roll out:",
                    "순서대로 적용하고 StatefulSet 배포 완료를 기다립니다:",
                )),
                "bash",
                format!(
                    "pgplan apply {file} --target k8s --yes\nkubectl rollout status statefulset/{} --namespace {ns} --timeout 10m",
                    sh_word(&base)
                ),
            ));
            // The schema-init Job's name carries a checksum of its SQL: the
            // rendered objects name it.
            let job = targets(f, opts)
                .iter()
                .flat_map(|r| r.items.iter())
                .find_map(|i| i.strip_prefix("Job ").and_then(|j| j.split('/').nth(1)))
                .map(|j| format!("job/{}", sh_word(j)))
                .unwrap_or_else(|| format!("job --selector app={}", sh_word(&base)));
            let migrations = plan
                .databases
                .iter()
                .any(|d| d.migrations.as_ref().is_some_and(|m| !m.scripts.is_empty()));
            steps.push(Step::with_code(
                text(if migrations {
                    s.pick(
                        "The schema-init Job creates the roles, databases and privileges (init.sql), then runs the pending migrations as their owner role:",
                        "스키마 초기화 Job이 역할, 데이터베이스, 권한을 생성하고 (init.sql) 대기 중인 마이그레이션을 소유자 역할로 실행합니다:",
                    )
                } else {
                    s.pick(
                        "The schema-init Job creates the roles, databases and privileges (init.sql):",
                        "스키마 초기화 Job이 역할, 데이터베이스, 권한을 생성합니다 (init.sql):",
                    )
                }),
                "bash",
                format!(
                    "kubectl wait --for=condition=complete {job} --namespace {ns} --timeout 10m"
                ),
            ));
        }
        Platform::Azure(_) => {
            steps.push(Step::with_code(
                text(s.pick(
                    "Read the live server and see what would change, sending nothing:",
                    "실제 서버를 읽어 변경될 내용을 확인합니다 (요청은 보내지 않음):",
                )),
                "bash",
                format!("pgplan apply {file} --target azure --dry-run"),
            ));
            steps.push(Step::with_code(
                text(s.pick(
                    "Create or update the server, its parameters, databases, administrators and replicas (or run the rendered deploy.sh after az login):",
                    "서버, 파라미터, 데이터베이스, 관리자, 복제본을 생성/변경합니다 (또는 az login 후 생성된 deploy.sh 실행):",
                )),
                "bash",
                format!("pgplan apply {file} --target azure --yes\n# or: bash out/azure/deploy.sh"),
            ));
            steps.push(Step::with_code(
                text(s.pick(
                    "Create the roles, schemas, extensions and privileges over SQL, as the administrator:",
                    "관리자로 접속하여 역할, 스키마, 확장 모듈, 권한을 생성합니다:",
                )),
                "bash",
                sql_apply.clone(),
            ));
        }
        Platform::Local(_) => {
            let what = if plan.topology.patroni.is_some() {
                s.pick(
                    "Start the cluster from those files (etcd, the Patroni members, HAProxy and the exporters, as an unprivileged user), wait until it has a leader and the planned streaming and synchronous replicas, then create the roles, databases and privileges through the write port; run again after a plan change to converge it:",
                    "위 파일로 클러스터를 시작합니다 (etcd, Patroni 멤버, HAProxy, exporter를 일반 사용자로 실행). 리더와 계획한 스트리밍/동기 복제본이 준비되면 쓰기 포트로 역할, 데이터베이스, 권한을 생성합니다. 계획을 바꾼 뒤 다시 실행하면 변경 사항을 반영합니다:",
                )
            } else {
                s.pick(
                    "Start the server (initdb with the plan's encoding, locale and checksums, then those files), then create the roles, databases and privileges; run again after a plan change to converge it:",
                    "서버를 시작합니다 (계획의 인코딩, 로캘, 체크섬으로 initdb 후 위 파일 적용). 이어서 역할, 데이터베이스, 권한을 생성합니다. 계획을 바꾼 뒤 다시 실행하면 변경 사항을 반영합니다:",
                )
            };
            steps.push(Step::with_code(
                text(what),
                "bash",
                format!("pgplan up {file}\npgplan status {file}"),
            ));
        }
    }
    s.w.steps(steps);
    for r in targets(f, opts) {
        if r.items.is_empty() {
            continue;
        }
        let title = match lang {
            Lang::En => format!(
                "What apply sends ({}), in order:",
                target_label(r.target, lang)
            ),
            Lang::Ko => format!("적용 순서 ({}):", target_label(r.target, lang)),
        };
        s.w.paragraph(&text(&title));
        let mut t = Table::new(["#", s.pick("Object or request", "오브젝트 또는 요청")]);
        for (i, item) in r.items.iter().enumerate() {
            t.row([(i + 1).to_string(), item.clone()]);
        }
        s.w.table(&t);
    }
}

fn target_label(t: Target, lang: Lang) -> &'static str {
    match t {
        Target::Sql => lang.pick("SQL", "SQL"),
        Target::Kubernetes => lang.pick("Kubernetes", "Kubernetes"),
        Target::Azure => lang.pick("Azure", "Azure"),
        Target::Ha => lang.pick("Patroni/etcd/HAProxy", "Patroni/etcd/HAProxy"),
    }
}

fn indent_bullets(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("   - {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where every secret comes from (never a value).
fn secret_sources(f: &Facts<'_>, lang: Lang) -> Vec<String> {
    let plan = f.plan;
    let mut out = Vec::new();
    if let Platform::Azure(a) = &plan.platform
        && let Some(p) = &a.administrator_password
    {
        out.push(format!(
            "{} {}: {}",
            text(lang.pick("administrator", "관리자")),
            code(a.administrator_login.as_str()),
            text(&crate::facts::describe_source(p, lang))
        ));
    }
    for r in &plan.roles {
        if matches!(
            r.password,
            Some(
                SecretSource::Env { .. }
                    | SecretSource::KeyVault { .. }
                    | SecretSource::KubernetesSecret { .. }
            )
        ) {
            out.push(format!(
                "{}: {}",
                code(r.name.as_str()),
                text(&f.password_source(r, lang))
            ));
        }
    }
    out
}

pub(super) fn verification(s: &mut Sections, f: &Facts<'_>, opts: &DocOptions) {
    let plan = f.plan;
    let lang = s.lang;
    let file = sh_word(&opts.plan_file);
    let dsn = sh_word(&dsn(f));
    s.section("Verification", "설치 검증");
    let mut steps = Vec::new();
    match &plan.platform {
        Platform::Kubernetes(k) => {
            let base = f.k8s.as_ref().map(|n| n.base.clone()).unwrap_or_default();
            let ns = sh_word(k.namespace.as_str());
            steps.push(Step::with_code(
                text(s.pick("The pod runs and is ready:", "Pod 상태 확인:")),
                "bash",
                format!(
                    "kubectl get pods --namespace {ns} --selector app={base}\nkubectl exec {base}-0 --namespace {ns} -- pg_isready --host 127.0.0.1 --port {}",
                    f.port,
                    base = sh_word(&base)
                ),
            ));
        }
        Platform::Azure(a) => {
            steps.push(Step::with_code(
                text(s.pick("The server is ready:", "서버 상태 확인:")),
                "bash",
                format!(
                    "az postgres flexible-server show --resource-group {} --name {} --query \"{{state:state, ha:highAvailability.state, version:version}}\"",
                    sh_word(a.resource_group.as_str()),
                    sh_word(a.server_name.as_str())
                ),
            ));
        }
        Platform::Local(_) => {
            let (host, port) = f.primary_host();
            let run_dir = format!("/var/lib/pgplan/{}-{}", plan.service, plan.environment);
            let mut lines = vec![
                format!("run_dir={}", sh_word(&run_dir)),
                "export PGPASSWORD=\"$(jq -r .superuser \"$run_dir/secrets/passwords.json\")\""
                    .to_owned(),
            ];
            if plan.topology.patroni.is_some() {
                lines.push("export PATRONI_RESTAPI_PASSWORD=\"$(jq -r .restapi \"$run_dir/secrets/passwords.json\")\"".to_owned());
            }
            steps.push(Step::with_code(
                text(s.pick(
                    "Read the passwords pgplan up made for its own logins from its run directory (this one as root; ~/.local/state/pgplan/… as another user, or the --dir given to up); psql uses the superuser's, patronictl the REST API's:",
                    "pgplan up이 자체 로그인용으로 만든 비밀번호를 실행 디렉터리에서 읽습니다 (root 기준 경로, 일반 사용자는 ~/.local/state/pgplan/…, 또는 up에 준 --dir). psql은 superuser, patronictl은 REST API 비밀번호를 사용합니다:",
                )),
                "bash",
                lines.join("\n"),
            ));
            steps.push(Step::with_code(
                text(s.pick("The server accepts connections:", "서버 연결 확인:")),
                "bash",
                format!("pg_isready --host {host} --port {port}"),
            ));
        }
    }
    steps.push(Step::with_code(
        text(s.pick(
            "Nothing differs from the plan (roles, databases, privileges, settings):",
            "계획과 다른 점이 없는지 확인합니다 (역할, 데이터베이스, 권한, 설정):",
        )),
        "bash",
        match &plan.platform {
            // The superuser's password read above, through the environment
            // (never on a command line); the runner's passwords are letters
            // and digits, which a URL carries as they are.
            Platform::Local(_) => {
                let (host, port) = f.primary_host();
                format!(
                    "PGPLAN_DSN=\"postgresql://postgres:$PGPASSWORD@{host}:{port}/postgres\" pgplan diff {file}"
                )
            }
            _ => format!("pgplan diff {file} --dsn {dsn}"),
        },
    ));
    let names: Vec<String> = f
        .settings
        .iter()
        .filter(|x| !x.name.contains('.'))
        .map(|x| format!("'{}'", x.name))
        .collect();
    if !names.is_empty() {
        steps.push(Step::with_code(
            text(s.pick(
                "The server runs with the parameters of section 4 (pending_restart shows what still needs a restart):",
                "4장의 파라미터 값으로 실행 중인지 확인합니다 (pending_restart는 재시작이 필요한 항목):",
            )),
            "sql",
            format!(
                "SELECT name, setting, unit, pending_restart\nFROM pg_settings\nWHERE name IN ({})\nORDER BY name;",
                names.join(", ")
            ),
        ));
    }
    let mut pairs = Vec::new();
    for r in &plan.roles {
        for g in &r.grants {
            if g.objects == pgplan_core::ObjectKind::Database
                && let Some(role) = plain_role(&r.name)
                && !g.database.needs_quoting()
            {
                pairs.push(format!("('{role}', '{}')", g.database));
            }
        }
    }
    if !pairs.is_empty() {
        steps.push(Step::with_code(
            text(s.pick(
                "Each role can connect where the plan grants it:",
                "각 역할이 허용된 데이터베이스에 접속할 수 있는지 확인합니다:",
            )),
            "sql",
            format!(
                "SELECT r AS role, d AS database, has_database_privilege(r, d, 'CONNECT') AS can_connect\nFROM (VALUES {}) AS v(r, d);",
                pairs.join(", ")
            ),
        ));
    }
    let default_grants: Vec<String> = plan
        .roles
        .iter()
        .flat_map(|r| {
            r.grants
                .iter()
                .filter(|g| g.objects.is_default())
                .map(move |g| {
                    format!(
                        "{}: {}",
                        code(r.name.as_str()),
                        text(&grant_object(g, lang))
                    )
                })
        })
        .collect();
    if !default_grants.is_empty() {
        steps.push(Step::with_code(
            format!(
                "{}\n{}",
                text(s.pick(
                    "Default privileges are in place for the roles that create objects (\\ddp in each database):",
                    "객체를 만드는 역할의 기본 권한이 설정되었는지 확인합니다 (각 데이터베이스에서 \\ddp):",
                )),
                indent_bullets(&default_grants)
            ),
            "sql",
            "SELECT pg_get_userbyid(defaclrole) AS owner, defaclnamespace::regnamespace AS schema,\n       defaclobjtype AS kind, defaclacl AS privileges\nFROM pg_default_acl;",
        ));
    }
    for d in &plan.databases {
        if d.extensions.is_empty() {
            continue;
        }
        let list: Vec<String> = d.extensions.iter().map(|e| code(e.name.as_str())).collect();
        steps.push(Step::with_code(
            format!(
                "{} {} {}",
                text(s.pick("Extensions in", "확장 모듈 확인:")),
                code(d.name.as_str()),
                list.join(", ")
            ),
            "sql",
            "SELECT extname, extversion, extnamespace::regnamespace AS schema FROM pg_extension ORDER BY extname;",
        ));
    }
    match &plan.platform {
        Platform::Kubernetes(k) => {
            let ns = sh_word(k.namespace.as_str());
            if let Some(names) = &f.k8s {
                for l in &plan.backups.logical {
                    let job = names.backup_cron_job(&l.name);
                    steps.push(Step::with_code(
                        text(s.pick(
                            "The backup runs: start the CronJob once by hand and read its log:",
                            "백업 동작 확인: CronJob을 수동으로 한 번 실행하고 로그를 확인합니다:",
                        )),
                        "bash",
                        format!(
                            "kubectl create job {job}-manual --from=cronjob/{job} --namespace {ns}\nkubectl wait --for=condition=complete job/{job}-manual --namespace {ns} --timeout 30m\nkubectl logs job/{job}-manual --namespace {ns}"
                        ),
                    ));
                }
                if plan.monitoring.exporter.is_some() {
                    steps.push(Step::with_code(
                        text(s.pick(
                            "The exporter reports the server up and the alert rules are loaded:",
                            "exporter가 서버 상태를 보고하고 알림 규칙이 등록되었는지 확인합니다:",
                        )),
                        "bash",
                        format!(
                            "kubectl get prometheusrule {base} --namespace {ns}\nkubectl run metrics-check --rm -i --restart=Never --image=curlimages/curl --namespace {ns} -- curl -s http://{metrics}:{port}/metrics | grep '^pg_up'",
                            base = names.base,
                            metrics = names.metrics,
                            port = plan.monitoring.exporter.as_ref().map_or(9187, |e| e.port)
                        ),
                    ));
                }
            }
        }
        Platform::Azure(a) => {
            if plan.backups.managed.is_some() {
                steps.push(Step::with_code(
                    text(s.pick("Backups are taken:", "백업 수행 확인:")),
                    "bash",
                    format!(
                        "az postgres flexible-server backup list --resource-group {} --server-name {} --output table",
                        sh_word(a.resource_group.as_str()),
                        sh_word(a.server_name.as_str())
                    ),
                ));
            }
            for r in &plan.topology.replicas {
                steps.push(Step::with_code(
                    format!(
                        "{} {}",
                        text(s.pick("The replica replicates:", "복제본 복제 상태 확인:")),
                        code(r.name.as_str())
                    ),
                    "bash",
                    format!(
                        "az postgres flexible-server replica list --resource-group {} --name {} --output table",
                        sh_word(a.resource_group.as_str()),
                        sh_word(a.server_name.as_str())
                    ),
                ));
            }
        }
        Platform::Local(_) => {
            if let Some(p) = &plan.topology.patroni {
                steps.push(Step::with_code(
                    text(s.pick(
                        "Patroni lists one leader and the replicas streaming, and replication lag is low:",
                        "Patroni에서 리더 1개와 스트리밍 중인 복제본을 확인하고 복제 지연을 확인합니다:",
                    )),
                    "bash",
                    format!(
                        "pgplan status {file}\npatronictl --config-file {} list {}",
                        sh_word(&patroni_config(p)),
                        sh_word(p.scope.as_str())
                    ),
                ));
                let (host, write) = f.primary_host();
                let read = p.endpoints.read_port;
                steps.push(Step::with_code(
                    text(s.pick(
                        "HAProxy sends writes to the leader (f) and reads to a replica (t):",
                        "HAProxy가 쓰기를 리더(f)로, 읽기를 복제본(t)으로 보내는지 확인합니다:",
                    )),
                    "bash",
                    format!(
                        "psql --host {h} --port {write} --username postgres --dbname postgres --tuples-only --command 'SELECT pg_is_in_recovery()'\npsql --host {h} --port {read} --username postgres --dbname postgres --tuples-only --command 'SELECT pg_is_in_recovery()'",
                        h = sh_word(&host)
                    ),
                ));
                steps.push(Step::with_code(
                    text(s.pick("Replication, from the primary:", "Primary에서 복제 상태 확인:")),
                    "sql",
                    "SELECT application_name, state, sync_state, replay_lag FROM pg_stat_replication;",
                ));
            }
        }
    }
    s.w.steps(steps);
}

pub(super) fn day2(s: &mut Sections, f: &Facts<'_>, opts: &DocOptions) {
    let plan = f.plan;
    let lang = s.lang;
    let file = sh_word(&opts.plan_file);
    s.section("Operations", "운영 관리");
    let mut t = Table::new([
        s.pick("Task", "작업 유형"),
        s.pick("How", "명령어"),
        s.pick("Note", "설명"),
    ]);
    let md = |x: &str| crate::markdown::Cell::Markdown(code(x));
    let tx = |x: &str| crate::markdown::Cell::Text(x.to_owned());
    match &plan.platform {
        Platform::Azure(a) => {
            let rg = sh_word(a.resource_group.as_str());
            let name = sh_word(a.server_name.as_str());
            if a.high_availability.mode != pgplan_core::AzureHaMode::Disabled {
                t.row([
                    tx(s.pick("Switchover to the standby", "대기 서버로 전환")),
                    md(&format!("az postgres flexible-server restart --resource-group {rg} --name {name} --failover Planned")),
                    tx(s.pick("planned; the standby becomes the primary", "계획된 장애조치, 대기 서버가 Primary가 됨")),
                ]);
            }
            for r in &plan.topology.replicas {
                t.row([
                    tx(&format!("{} {}", s.pick("Promote replica", "복제본 승격"), r.name)),
                    md(&format!(
                        "az postgres flexible-server replica promote --resource-group {rg} --name {} --promote-mode standalone --promote-option planned",
                        sh_word(r.name.as_str())
                    )),
                    tx(s.pick("region outage: the replica becomes a server of its own", "리전 장애 시 복제본을 독립 서버로 승격")),
                ]);
            }
            t.row([
                tx(s.pick("Restart for parameters", "파라미터 적용 재시작")),
                md(&format!(
                    "az postgres flexible-server restart --resource-group {rg} --name {name}"
                )),
                tx(s.pick(
                    "static parameters (restart column of section 4)",
                    "정적 파라미터 (4장의 재시작 열)",
                )),
            ]);
        }
        Platform::Kubernetes(k) => {
            let base = f.k8s.as_ref().map(|n| n.base.clone()).unwrap_or_default();
            let ns = sh_word(k.namespace.as_str());
            t.row([
                tx(s.pick("Status", "상태 모니터링")),
                md(&format!(
                    "kubectl get pods --namespace {ns} --selector app={base}"
                )),
                tx(s.pick("daily", "일일")),
            ]);
            t.row([
                tx(s.pick("Logs", "로그 확인")),
                md(&format!(
                    "kubectl logs {base}-0 --namespace {ns} --container postgresql"
                )),
                tx(s.pick("as needed", "필요시")),
            ]);
            t.row([
                tx(s.pick("Restart for parameters", "파라미터 적용 재시작")),
                md(&format!(
                    "kubectl rollout restart statefulset/{base} --namespace {ns}"
                )),
                tx(s.pick(
                    "static parameters (restart column of section 4)",
                    "정적 파라미터 (4장의 재시작 열)",
                )),
            ]);
            t.row([
                tx(s.pick("Disk usage", "디스크 사용량")),
                md(&format!("kubectl exec {base}-0 --namespace {ns} -- df -h")),
                tx(s.pick("weekly", "주간")),
            ]);
        }
        Platform::Local(_) => {
            if let Some(p) = &plan.topology.patroni {
                let cfg = sh_word(&patroni_config(p));
                let scope = sh_word(p.scope.as_str());
                let candidate = p
                    .members
                    .get(1)
                    .map(|m| sh_word(m.name.as_str()))
                    .unwrap_or_default();
                t.row([
                    tx(s.pick("Switchover", "스위치오버")),
                    md(&format!("patronictl --config-file {cfg} switchover {scope} --force")),
                    tx(s.pick(
                        "planned: the leader hands over to a healthy (synchronous) standby; --candidate NAME chooses it",
                        "계획된 전환: 리더가 정상 (동기) 대기 멤버에게 넘김, --candidate NAME으로 지정 가능",
                    )),
                ]);
                t.row([
                    tx(s.pick("Failover (promote a replica)", "장애조치 (복제본 승격)")),
                    md(&format!("patronictl --config-file {cfg} failover {scope} --candidate {candidate} --force")),
                    tx(s.pick("when the leader is gone", "리더 장애 시")),
                ]);
                t.row([
                    tx(s.pick("Restart for parameters", "파라미터 적용 재시작")),
                    md(&format!(
                        "patronictl --config-file {cfg} restart {scope} --pending --force"
                    )),
                    tx(s.pick(
                        "members with pending restarts, one at a time",
                        "재시작 대기 멤버를 하나씩",
                    )),
                ]);
            } else {
                t.row([
                    tx(s.pick("Restart for parameters", "파라미터 적용 재시작")),
                    md(&format!("pgplan up {file}")),
                    tx(s.pick(
                        "reloads, and restarts where a parameter needs it (restart column of section 4)",
                        "리로드하고 필요한 경우 재시작 (4장의 재시작 열)",
                    )),
                ]);
            }
            t.row([
                tx(s.pick("Status", "상태 모니터링")),
                md(&format!("pgplan status {file} --output json")),
                tx(s.pick("daily", "일일")),
            ]);
            t.row([
                tx(s.pick("Stop", "중지")),
                md(&format!("pgplan down {file}")),
                tx(s.pick(
                    "keeps the data; --purge also removes data, configurations and secrets",
                    "데이터는 유지, --purge는 데이터, 설정, 시크릿까지 삭제",
                )),
            ]);
        }
    }
    t.row([
        tx(s.pick("Point-in-time recovery", "Point-in-Time 복구")),
        tx(s.pick("see section 9, Restore", "9장 복구 절차 참조")),
        tx(""),
    ]);
    t.row([
        tx(s.pick("Change the plan", "계획 변경 적용")),
        md(&if matches!(plan.platform, Platform::Local(_)) {
            format!("pgplan validate {file} && pgplan up {file}")
        } else {
            format!("pgplan validate {file} && pgplan diff {file} --dsn …")
        }),
        tx(s.pick(
            "every change goes through the plan",
            "모든 변경은 계획 파일로",
        )),
    ]);
    s.w.table(&t);

    let rotations: Vec<String> = plan
        .roles
        .iter()
        .filter(|r| r.login)
        .filter_map(|r| {
            let how = match (&r.password, lang) {
                (Some(SecretSource::KeyVault { vault, secret }), _) => format!(
                    "az keyvault secret set --vault-name {} --name {} --value \"$(openssl rand -base64 32)\"",
                    sh_word(vault.as_str()),
                    sh_word(secret.as_str())
                ),
                (Some(SecretSource::Env { var }), _) => format!("read -rs {var} && export {var}"),
                (Some(SecretSource::KubernetesSecret { name, key }), _) => format!(
                    "kubectl create secret generic {} --from-literal={}=\"$(openssl rand -base64 32)\" --dry-run=client --output yaml | kubectl apply -f -",
                    sh_word(name.as_str()),
                    sh_word(key.as_str())
                ),
                (Some(SecretSource::Generated { .. }), _) => match (&f.k8s, plan.platform.kubernetes()) {
                    (Some(names), Some(k)) => {
                        let secret = pgplan_core::kubernetes_facts::role_secret(names, r)?;
                        format!(
                            "kubectl delete secret {} --namespace {}  # pgplan apply generates a new one",
                            secret.name, k.namespace
                        )
                    }
                    _ => return None,
                },
                _ => return None,
            };
            Some(format!("{}: {}", code(r.name.as_str()), code(&how)))
        })
        .collect();
    if !rotations.is_empty() {
        s.sub("Password rotation", "암호 교체");
        s.w.paragraph(&text(s.pick(
            "Store a new password where the plan reads it, then converge (the server receives only its SCRAM verifier) and restart the clients' pools:",
            "계획이 읽는 위치에 새 암호를 저장한 뒤 적용하고 (서버에는 SCRAM 검증자만 전달) 클라이언트 풀을 재시작합니다:",
        )));
        s.w.bullets(rotations);
        let converge = match &plan.platform {
            Platform::Kubernetes(_) => format!("pgplan apply {file} --target k8s --yes"),
            // pgplan up applies the SQL through the same code path.
            Platform::Local(_) => format!("pgplan up {file}"),
            Platform::Azure(_) => format!("pgplan apply {file} --target sql --dsn … --yes"),
        };
        s.w.paragraph(&code(&converge));
    }
}

/// The Patroni configuration `pgplan render --target ha --out out/ha` writes
/// for the cluster's first member, which patronictl reads to find etcd.
pub(crate) fn patroni_config(p: &pgplan_core::PatroniCluster) -> String {
    format!(
        "out/{}/patroni/{}.yml",
        Target::Ha.flag(),
        p.members
            .first()
            .map(|m| m.name.to_string())
            .unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::sh_word;

    #[test]
    fn bash_reads_words_back() {
        for word in [
            "plain-rg",
            "a b",
            "it's",
            "$(rm -rf /)",
            "`x`",
            "",
            "x;y",
            "rg(1)",
        ] {
            let out = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("printf %s {}", sh_word(word)))
                .output()
                .expect("bash runs");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                word,
                "{}",
                sh_word(word)
            );
        }
    }
}
