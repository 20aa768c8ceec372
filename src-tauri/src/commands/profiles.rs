//! Commands of the Profiles screen and the profile picker.

use std::path::PathBuf;

use cachescope_core::context::{ConnectionCheck, ProfileView};
use cachescope_core::kv::cloudflare::Namespace;
use cachescope_core::profiles::{Profile, ProfileKind};
use cachescope_core::{CoreContext, Error};
use secrecy::SecretString;
use serde::Deserialize;
use tauri::State;

use crate::ipc_error::IpcResult;

/// A profile as the edit form sends it. Secrets travel separately and only towards the core.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    pub name: String,
    pub kind: ProfileKind,
    pub account_id: Option<String>,
    pub namespace_id: Option<String>,
    pub base_url: Option<String>,
    pub path: Option<String>,
    pub postgres_url: Option<String>,
    pub read_only: bool,
    pub production: bool,
    pub unlocked: bool,
}

impl From<ProfileInput> for Profile {
    fn from(input: ProfileInput) -> Self {
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Profile {
            name: input.name.trim().to_owned(),
            kind: input.kind,
            account_id: text(input.account_id),
            namespace_id: text(input.namespace_id),
            base_url: text(input.base_url),
            path: text(input.path).map(PathBuf::from),
            postgres_url: text(input.postgres_url),
            read_only: input.read_only,
            production: input.production,
            unlocked: input.production && input.unlocked,
            // Not in the form: the stored limits are kept (see ProfileSet::upsert).
            db_limits: None,
            plan: None,
        }
    }
}

/// Every profile, without secrets (only whether each is set).
#[tauri::command]
pub async fn list_profiles(ctx: State<'_, CoreContext>) -> IpcResult<Vec<ProfileView>> {
    Ok(ctx.profile_views().await?)
}

/// Adds or replaces a profile; a `None` secret keeps the stored one.
#[tauri::command]
pub async fn save_profile(
    ctx: State<'_, CoreContext>,
    profile: ProfileInput,
    token: Option<String>,
    db_password: Option<String>,
) -> IpcResult<ProfileView> {
    let secret = |s: Option<String>| s.filter(|s| !s.is_empty()).map(SecretString::from);
    let profile = Profile::from(profile);
    let name = profile.name.clone();
    ctx.save_profile(profile, secret(token), secret(db_password))
        .await?;
    let views = ctx.profile_views().await?;
    Ok(views
        .into_iter()
        .find(|v| v.name == name)
        .ok_or(Error::ProfileNotFound(name))?)
}

/// Removes a profile and its stored secrets.
#[tauri::command]
pub async fn delete_profile(ctx: State<'_, CoreContext>, name: String) -> IpcResult<()> {
    Ok(ctx.remove_profile(&name).await?)
}

/// Makes a profile the default one.
#[tauri::command]
pub async fn set_default_profile(ctx: State<'_, CoreContext>, name: String) -> IpcResult<()> {
    Ok(ctx.set_default_profile(&name).await?)
}

/// Lists a first page of keys to prove the profile's namespace answers.
#[tauri::command]
pub async fn test_connection(
    ctx: State<'_, CoreContext>,
    name: String,
) -> IpcResult<ConnectionCheck> {
    Ok(ctx.check_connection(Some(&name)).await?)
}

/// The namespaces the profile can point at (its Cloudflare account's, or those in its file).
#[tauri::command]
pub async fn list_namespaces(
    ctx: State<'_, CoreContext>,
    name: String,
) -> IpcResult<Vec<Namespace>> {
    Ok(ctx.namespaces(Some(&name)).await?)
}

/// Points the profile at another namespace.
#[tauri::command]
pub async fn switch_namespace(
    ctx: State<'_, CoreContext>,
    name: String,
    namespace_id: String,
) -> IpcResult<()> {
    Ok(ctx.switch_namespace(&name, &namespace_id).await?)
}
