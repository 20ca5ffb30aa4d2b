; Inno Setup script: a per-user installer for Essay Marker (no admin rights needed).
; Build the app first on Windows (from the repository root):
;   .venv\Scripts\pip install -e .[build]
;   .venv\Scripts\pyinstaller --noconfirm packaging\essay-marker.spec
; then: iscc /DAppVersion=0.1.0 packaging\windows\essay-marker.iss
; (AppVersion: python -c "import rubric; print(rubric.__version__)"). Output: dist\installer\.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6D3B0F5E-2B7A-4C39-9E61-4E1A2C7F9B18}
AppName=Essay Marker
AppVersion={#AppVersion}
AppPublisher=Essay Marker
; per user: installs into %LOCALAPPDATA%\Programs\Essay Marker, registry under HKCU only
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={userpf}\Essay Marker
DefaultGroupName=Essay Marker
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\essay-marker.exe
SetupIconFile=..\..\resources\icons\essay-marker.ico
OutputDir=..\..\dist\installer
OutputBaseFilename=essay-marker-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\essay-marker\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\Essay Marker"; Filename: "{app}\essay-marker.exe"; IconFilename: "{app}\essay-marker.exe"
Name: "{userdesktop}\Essay Marker"; Filename: "{app}\essay-marker.exe"; Tasks: desktopicon

[Registry]
; .markset opens in Essay Marker (per user: HKCU\Software\Classes)
Root: HKCU; Subkey: "Software\Classes\.markset"; ValueType: string; ValueName: ""; ValueData: "EssayMarker.Set"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\EssayMarker.Set"; ValueType: string; ValueName: ""; ValueData: "Essay Marker set"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\EssayMarker.Set\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\essay-marker.exe,0"
Root: HKCU; Subkey: "Software\Classes\EssayMarker.Set\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\essay-marker.exe"" ""%1"""

[Run]
Filename: "{app}\essay-marker.exe"; Description: "{cm:LaunchProgram,Essay Marker}"; Flags: nowait postinstall skipifsilent
