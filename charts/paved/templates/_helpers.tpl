{{/* The chart's name (nameOverride). */}}
{{- define "paved.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-paved, or the release name when it already says paved (fullnameOverride). */}}
{{- define "paved.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "paved.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "paved.selectorLabels" -}}
app.kubernetes.io/name: {{ include "paved.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "paved.labels" -}}
helm.sh/chart: {{ include "paved.chart" . }}
{{ include "paved.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: daemon
app.kubernetes.io/part-of: paved
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "paved.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "paved.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret mounted at /etc/paved/secrets, or "" when there is none. */}}
{{- define "paved.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else if or .Values.secrets.apiToken .Values.secrets.files }}
{{- include "paved.fullname" . }}
{{- end }}
{{- end }}

{{/* Whether the daemon has an API token file. */}}
{{- define "paved.hasApiToken" -}}
{{- if or .Values.secrets.existingSecret .Values.secrets.apiToken }}true{{ end }}
{{- end }}

{{/* The verbs Paved needs on a kind it manages: read, server-side apply, prune. */}}
{{- define "paved.readVerbs" -}}
[get, list, watch]
{{- end }}
{{- define "paved.writeVerbs" -}}
[create, update, patch, delete]
{{- end }}

{{/* The managed kinds: rbac.resources, plus Secrets with rbac.manageSecrets. One rule per entry; $verbs as given. */}}
{{- define "paved.managedRules" -}}
{{- $verbs := .verbs }}
{{- range .root.Values.rbac.resources }}
- apiGroups: {{ toJson .apiGroups }}
  resources: {{ toJson .resources }}
  verbs: {{ $verbs }}
{{- end }}
{{- if .root.Values.rbac.manageSecrets }}
- apiGroups: [""]
  resources: [secrets]
  verbs: {{ $verbs }}
{{- end }}
{{- end }}
