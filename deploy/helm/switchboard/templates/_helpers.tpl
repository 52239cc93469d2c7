{{/*
Names, labels and the checks every template shares. A value that cannot work stops the render here
with a message naming it (`fail`), before anything reaches the cluster.
*/}}

{{- define "switchboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "switchboard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "switchboard.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "switchboard.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "switchboard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "switchboard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchboard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "switchboard.labels" -}}
helm.sh/chart: {{ include "switchboard.chart" . }}
{{ include "switchboard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "switchboard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "switchboard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "switchboard.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* The Secret the chart makes (only when `secrets` or state.url is set and existingSecret is not). */}}
{{- define "switchboard.secretName" -}}
{{- include "switchboard.fullname" . }}
{{- end }}

{{- define "switchboard.ownSecret" -}}
{{- if or .Values.secrets .Values.state.url }}true{{ end }}
{{- end }}

{{- define "switchboard.hasState" -}}
{{- if or .Values.state.url .Values.state.existingSecret }}true{{ end }}
{{- end }}

{{/*
What cannot run, refused at render time:
- more than one bot or worker without PostgreSQL: each pod's SQLite state would be its own, so a Slack
  retry reaching another replica is answered twice and a retried step runs its side effect again;
- shared state without the audit and vote keys (config.ts refuses to start: every replica must sign
  and chain with the same keys), unless an existing Secret may hold them;
- both `secrets` and existingSecret (which one wins would be a surprise).
*/}}
{{- define "switchboard.validate" -}}
{{- $_ := required "temporal.address is required: host:port of the Temporal frontend (the worker cannot run without it)" .Values.temporal.address }}
{{- if and (or (gt (int .Values.bot.replicas) 1) (gt (int .Values.worker.replicas) 1)) (not (include "switchboard.hasState" .)) }}
{{- fail (printf "bot.replicas=%d, worker.replicas=%d: more than one replica needs shared state in PostgreSQL; set state.url (postgres://user:password@host:5432/database) or state.existingSecret" (int .Values.bot.replicas) (int .Values.worker.replicas)) }}
{{- end }}
{{- $reserved := dict "PORT" "fixed at 3000 (service.port is the Service's)" "HOME" "fixed at /tmp" "SWITCHBOARD_DB" "fixed under the data volume" "SWITCHBOARD_REFRESH" "use refresh" "LOG_LEVEL" "use logLevel" "TEMPORAL_ADDRESS" "use temporal.address" "TEMPORAL_NAMESPACE" "use temporal.namespace" "TEMPORAL_TASK_QUEUE" "use temporal.taskQueue" "TEMPORAL_UI_URL" "use temporal.uiUrl" "SWITCHBOARD_PUBLIC_URL" "use publicUrl" "SWITCHBOARD_CONFIG" "use configFile" "SWITCHBOARD_STATE_URL" "use state.url (a secret)" }}
{{- range $name, $_ := .Values.env }}
{{- if hasKey $reserved $name }}
{{- fail (printf "env.%s: %s" $name (get $reserved $name)) }}
{{- end }}
{{- end }}
{{- if and .Values.secrets .Values.existingSecret }}
{{- fail "set either secrets or existingSecret, not both" }}
{{- end }}
{{- if and (include "switchboard.hasState" .) (not .Values.existingSecret) }}
{{- if not (and .Values.secrets.SWITCHBOARD_AUDIT_KEY .Values.secrets.SWITCHBOARD_VOTE_KEY) }}
{{- fail "shared state (state.url or state.existingSecret) needs secrets.SWITCHBOARD_AUDIT_KEY and secrets.SWITCHBOARD_VOTE_KEY (each: openssl rand -hex 32), or an existingSecret that holds them: every replica appends to one audit chain and checks votes with one key" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The pod security every Switchboard container runs with: non-root, read-only root filesystem. */}}
{{- define "switchboard.podSecurityContext" -}}
runAsNonRoot: true
# The image's `node` user.
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "switchboard.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{/*
The environment of both Deployments: the ConfigMap's variables, then the secret ones. The state URL is
named alone so it may come from a Secret other than the rest.
*/}}
{{- define "switchboard.envFrom" -}}
- configMapRef:
    name: {{ include "switchboard.fullname" . }}
{{- if .Values.existingSecret }}
- secretRef:
    name: {{ .Values.existingSecret }}
{{- else if .Values.secrets }}
- secretRef:
    name: {{ include "switchboard.secretName" . }}
{{- end }}
{{- end }}

{{- define "switchboard.env" -}}
{{- if .Values.state.existingSecret }}
- name: SWITCHBOARD_STATE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.state.existingSecret }}
      key: {{ .Values.state.existingSecretKey }}
{{- else if .Values.state.url }}
- name: SWITCHBOARD_STATE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" . }}
      key: SWITCHBOARD_STATE_URL
{{- end }}
{{- end }}

{{/* Writable places on the read-only root filesystem: the data folder and /tmp (also HOME). */}}
{{- define "switchboard.volumeMounts" -}}
- name: data
  mountPath: /app/data
- name: tmp
  mountPath: /tmp
{{- if .Values.configFile }}
- name: config
  mountPath: /etc/switchboard
  readOnly: true
{{- end }}
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/switchboard/temporal-tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "switchboard.volumes" -}}
# This pod's catalog file and scratch space: rebuilt from the sources at start.
- name: data
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- if .Values.configFile }}
- name: config
  configMap:
    name: {{ include "switchboard.fullname" . }}-config
    items:
      - key: switchboard.yaml
        path: switchboard.yaml
{{- end }}
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.existingSecret }}
{{- end }}
{{- end }}

{{/*
Probes on GET /healthz, which answers 200 (status ok or degraded) once the process serves: the HTTP
server starts after the first catalog ingest, so a pod is ready only with its catalog loaded. A
degraded Temporal or chat surface does not fail the probe: a restart would not bring them back, and
lookups keep working. The startup probe gives a 100k-entity ingest its time before liveness counts.
*/}}
{{- define "switchboard.probes" -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 5
  failureThreshold: 36
readinessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 20
  timeoutSeconds: 5
  failureThreshold: 3
{{- end }}

{{/* Restart pods when their configuration changes: Deployments see only their own spec. */}}
{{- define "switchboard.checksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if include "switchboard.ownSecret" . }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}
